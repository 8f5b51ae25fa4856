/**
 * The chase's check page: before a chase is sent the coordinator sees who gets it and what it
 * says, exactly as the POST then queues it, or why nothing would be sent; asking for the page
 * sends nothing. Only the people who may chase see it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as chase from "#app/routes/collections.$code.chase.$authorityCode.tsx";
import { inProcessPortal, serverBuild } from "../support/hardening.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, snapshot, type Visitor } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const FEBRUARY_2023 = "2023-02-care-experienced-parents";
const CAERPHILLY = "W06000018";
const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
const POWYS = "W06000023";
const BOARD = `/collections/${ROUND}/board`;

type Page = Awaited<ReturnType<typeof chase.loader>>;

describe("the chase's check page", () => {
  const db = useDemoDatabase();
  let coordinator: Visitor;
  let second: { id: number; email: string };

  const page = async (authorityCode: string, search = "", visitor = coordinator, code = ROUND) => {
    const outcome = await run(() =>
      chase.loader(routeArgs(get(`/collections/${code}/chase/${authorityCode}${search}`, visitor), { code, authorityCode }) as never),
    );
    if (outcome.kind !== "data") throw new Error(`no page: ${outcome.status} ${outcome.kind === "response" ? outcome.location : ""}`);
    return outcome.data as Page;
  };
  const send = (authorityCode: string, fields: Record<string, string> = {}, visitor = coordinator) =>
    run(() =>
      chase.action(
        routeArgs(post(`/collections/${ROUND}/chase/${authorityCode}`, fields, visitor), { code: ROUND, authorityCode }) as never,
      ),
    );
  const chases = (authorityCode: string) =>
    db()
      .selectFrom("outbox")
      .select(["to_email", "subject", "body", "language"])
      .where("kind", "=", "chase")
      .where("authority_code", "=", authorityCode)
      .orderBy("id")
      .execute();
  /** The page as the server renders it, without React's markers between neighbouring texts. */
  const html = async (path: string) => {
    const response = await inProcessPortal(await serverBuild())(
      new Request(`http://localhost${path}`, { headers: { Cookie: coordinator.cookie } }),
    );
    expect(response.status).toBe(200);
    return (await response.text()).replaceAll("<!-- -->", "");
  };

  /** The page's own content, without the layout's forms (signing out, the language). */
  const main = (text: string) => text.slice(text.indexOf("<main"), text.indexOf("</main>"));

  beforeAll(async () => {
    coordinator = await signIn(db(), COORDINATOR);
    // Caerphilly has a second officer, who reads the portal in Welsh, and a third whose account was deactivated.
    const [added] = await db()
      .insertInto("app_user")
      .values([
        {
          email: "swyddog.caerffili@authorities.example",
          name: "Swyddog Caerffili",
          role: "officer",
          authority_code: CAERPHILLY,
          language: "cy",
        },
        {
          email: "left.caerphilly@authorities.example",
          name: "Left Caerphilly",
          role: "officer",
          authority_code: CAERPHILLY,
          active: false,
        },
      ])
      .returning(["id", "email"])
      .execute();
    second = added!;
  });

  it("shows who will get the chase and what it says, and sends nothing", async () => {
    const before = await snapshot(db());
    const data = await page(CAERPHILLY, `?returnTo=${encodeURIComponent(`${BOARD}?region=gwent&sort=status&chased=W06000015`)}`);
    expect(await snapshot(db())).toBe(before);
    expect(data.refusal).toBeNull();
    expect(data.authority).toMatchObject({ code: CAERPHILLY, name_en: "Caerphilly", name_cy: "Caerffili" });
    // The authority's active officers, in the order the chase queues them; not the deactivated one.
    expect(data.recipients.map((r) => [r.name, r.email])).toEqual([
      ["Demo Officer (Caerphilly)", "officer.caerphilly@authorities.example"],
      ["Swyddog Caerffili", second.email],
    ]);
    expect(data.chasedToday).toEqual([]);
    expect(data.lastChase).toBeNull();
    // A chase is one email in Welsh and English (decision 017), greeting each officer by name.
    for (const r of data.recipients) {
      expect(r.subject).toBe(
        "Mae ADSS Cymru yn gofyn am eich ffurflen ar gyfer Pobl ifanc â phrofiad o ofal sy'n rhieni (Rhagfyr 2026)" +
          " / ADSS Cymru is asking for your return for Care-experienced young people who are parents (December 2026)",
      );
      expect(r.body).toContain("Nid yw ADSS Cymru wedi cael ffurflen Caerffili");
      expect(r.body).toContain("ADSS Cymru has not yet received Caerphilly's return");
      expect(r.body).toContain(`${r.name}`);
      expect(r.body).toContain(`http://localhost/returns/${ROUND}/${CAERPHILLY}`);
      expect(r.parts.map((p) => p.lang)).toEqual(["cy", "en"]);
    }
    // Back to the board with its filters, without the banner it showed.
    expect(data.board).toBe(`${BOARD}?region=gwent&sort=status`);
    expect((await chases(CAERPHILLY)).length).toBe(0);
  });

  it("is drawn as a check page: a summary, each email with its languages marked, and the button to send it", async () => {
    const text = await html(`/collections/${ROUND}/chase/${CAERPHILLY}?returnTo=${encodeURIComponent(`${BOARD}?region=gwent`)}`);
    expect(text).toContain("<title>Check the chase before you send it: Caerphilly – ");
    expect(text).toContain('<dl class="govuk-summary-list">');
    expect(text).toContain("Demo Officer (Caerphilly) (officer.caerphilly@authorities.example)");
    expect(text).toContain('<span lang="cy">Mae ADSS Cymru yn gofyn am eich ffurflen');
    expect(text).toContain('<span lang="en">ADSS Cymru is asking for your return');
    expect(text).toContain('name="csrf"');
    expect(text).toContain(
      '<input type="hidden" name="returnTo" value="/collections/2026-12-care-experienced-parents/board?region=gwent"/>',
    );
    expect(text).toMatch(/<button type="submit" class="govuk-button"[^>]*>Send chase<\/button>/);
    expect(text).toContain(`href="${BOARD}?region=gwent">Cancel</a>`);
  });

  it("sends exactly what it showed, back to the board as it was left; then shows that it was sent today", async () => {
    const shown = await page(CAERPHILLY);
    const outcome = await send(CAERPHILLY, { returnTo: `${BOARD}?region=gwent&sort=status` });
    expect(outcome).toMatchObject({ status: 302, location: `${BOARD}?region=gwent&sort=status&chased=${CAERPHILLY}` });
    expect(await chases(CAERPHILLY)).toEqual(
      shown.recipients.map((r) => ({ to_email: r.email, subject: r.subject, body: r.body, language: null })),
    );

    const after = await page(CAERPHILLY);
    expect(after.refusal).toBe("chasedToday");
    expect(after.recipients).toEqual([]);
    expect(after.lastChase).toMatchObject({ by: "Demo Coordinator" });
    const text = await html(`/collections/${ROUND}/chase/${CAERPHILLY}`);
    expect(text).toContain("Caerphilly was already chased today.");
    expect(main(text)).not.toContain("<form");

    // An officer added since is chased alone; the others are listed as chased today already.
    const [newcomer] = await db()
      .insertInto("app_user")
      .values({ email: "new.caerphilly@authorities.example", name: "New Caerphilly", role: "officer", authority_code: CAERPHILLY })
      .returning("email")
      .execute();
    const partly = await page(CAERPHILLY);
    expect(partly.refusal).toBeNull();
    expect(partly.recipients.map((r) => r.email)).toEqual([newcomer!.email]);
    expect(partly.chasedToday.map((r) => r.email)).toEqual(["officer.caerphilly@authorities.example", second.email]);
    expect(await send(CAERPHILLY)).toMatchObject({ status: 302, location: `${BOARD}?chased=${CAERPHILLY}` });
    expect((await chases(CAERPHILLY)).map((e) => e.to_email)).toEqual([...shown.recipients.map((r) => r.email), newcomer!.email]);
    // The board's banner names whom this chase reached: the newcomer alone.
    const board = await html(`${BOARD}?chased=${CAERPHILLY}`);
    expect(board).toContain(`Chase sent about Caerphilly&#x27;s return to ${newcomer!.email}<`);
  });

  it("says in plain words why nothing would be sent, and offers no button", async () => {
    await submitAs(db(), ROUND, CARDIFF, {
      care_leavers_21_25: { state: "reported", number: "120" },
      care_experienced_parents: { state: "reported", number: "9" },
      care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
    });
    await db().updateTable("app_user").set({ active: false }).where("authority_code", "=", POWYS).execute();
    const before = await snapshot(db());
    expect((await page(CARDIFF)).refusal).toBe("submitted");
    expect((await page(POWYS)).refusal).toBe("noOfficers");
    expect((await page(NEWPORT, "", coordinator, FEBRUARY_2023)).refusal).toBe("notOpen");
    for (const refused of [CARDIFF, POWYS]) expect((await page(refused)).recipients).toEqual([]);
    expect(await snapshot(db())).toBe(before);

    const cardiff = await html(`/collections/${ROUND}/chase/${CARDIFF}`);
    expect(cardiff).toContain("<title>No chase to send: Cardiff – ");
    expect(cardiff).toContain("Cardiff cannot be chased: it has already submitted its return.");
    expect(main(cardiff)).not.toContain("<form");
    expect(await html(`/collections/${ROUND}/chase/${POWYS}`)).toContain(
      "Powys cannot be chased: it has no active officer account, so the email would reach nobody.",
    );
    expect(await html(`/collections/${FEBRUARY_2023}/chase/${NEWPORT}`)).toContain(
      "Newport cannot be chased: the information request is not open.",
    );
    // The POST refuses the same, as before.
    expect(await send(POWYS)).toMatchObject({ status: 302, location: `${BOARD}?chased=${POWYS}&refused=noOfficers` });
  });

  it("is the coordinator's alone: officers, of that authority or another, and analysts get a 404; nobody is sent anywhere else", async () => {
    const path = `/collections/${ROUND}/chase/${NEWPORT}`;
    const params = { code: ROUND, authorityCode: NEWPORT };
    for (const email of [OFFICER.newport, OFFICER.cardiff, ANALYST]) {
      const visitor = await signIn(db(), email);
      expect(await run(() => chase.loader(routeArgs(get(path, visitor), params) as never))).toMatchObject({ status: 404 });
    }
    expect(await run(() => chase.loader(routeArgs(get(path), params) as never))).toMatchObject({
      status: 302,
      location: expect.stringMatching(/^\/login\?returnTo=/),
    });
    // An authority that does not exist.
    expect(
      await run(() =>
        chase.loader(
          routeArgs(get(`/collections/${ROUND}/chase/W00000000`, coordinator), { ...params, authorityCode: "W00000000" }) as never,
        ),
      ),
    ).toMatchObject({ status: 404 });
    // A return address that is not the board's leads to the bare board.
    for (const elsewhere of ["https://example.com/?x=1", "//example.com", `/collections/${FEBRUARY_2023}/board?region=gwent`, "/outbox"]) {
      expect((await page(NEWPORT, `?returnTo=${encodeURIComponent(elsewhere)}`)).board).toBe(BOARD);
    }
  });
});
