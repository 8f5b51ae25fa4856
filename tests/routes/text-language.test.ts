import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as amend from "#app/routes/returns.$collectionCode.$authorityCode.amend.tsx";
import * as statistics from "#app/routes/statistics.$code._index.tsx";
import { getCollection } from "#app/models/collection.server.ts";
import { findReturn } from "#app/models/return.server.ts";
import { raiseQuery, replyToQuery } from "#app/models/value-query.server.ts";
import { asShownIn, PORTAL_TEXT } from "#app/i18n/portal-text.ts";
import { sortForDisplay } from "#app/i18n/i18n.ts";
import { FEBRUARY_2023, FEBRUARY_2023_REASONS } from "../../seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

const ROUND = "2026-12-care-experienced-parents";
const CARDIFF = "W06000015";
const path = (page = "") => `/returns/${ROUND}/${CARDIFF}${page ? `/${page}` : ""}`;
const params = { collectionCode: ROUND, authorityCode: CARDIFF };

function answers(reason: string, number: string, lockVersion: number) {
  const items: Record<string, Record<string, string>> = {
    care_leavers_21_25: { state: "reported", number, caveat: reason, queryExplanation: reason },
    care_experienced_parents: { state: "reported", number: "10" },
    care_experienced_parents_child_removed: { state: "reported", number: "2" },
    children_reunification_plan: { state: "not_collected", cannot: "yes", reason },
  };
  const fields: Record<string, string> = { lockVersion: String(lockVersion), intent: "save" };
  for (const [code, values] of Object.entries(items)) {
    for (const [name, value] of Object.entries(values)) fields[`${code}.${name}`] = value;
  }
  return fields;
}

describe("the language of what people typed", () => {
  const db = useDemoDatabase();
  let officer: Visitor;
  let coordinator: Visitor;

  beforeAll(async () => {
    [officer, coordinator] = await Promise.all([signIn(db(), OFFICER.cardiff), signIn(db(), COORDINATOR)]);
  });

  const speaks = (visitor: Visitor, language: "en" | "cy") =>
    db().updateTable("app_user").set({ language }).where("id", "=", visitor.userId).execute();
  const lockVersion = async () =>
    (await findReturn(db(), { collection: (await getCollection(db(), ROUND))!, authorityCode: CARDIFF }))!.lock_version;
  const save = async (fields: Record<string, string>) => {
    const outcome = await run(() => form.action(routeArgs(post(path(), fields, officer), params) as never));
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 302 });
  };
  const textLangs = async () =>
    Object.fromEntries(
      (
        await db()
          .selectFrom("value as v")
          .innerJoin("return as r", "r.id", "v.return_id")
          .innerJoin("collection as c", "c.id", "r.collection_id")
          .select(["v.item_code", "v.text_lang"])
          .where("c.code", "=", ROUND)
          .where("r.authority_code", "=", CARDIFF)
          .execute()
      ).map((row) => [row.item_code, row.text_lang]),
    );

  it("keeps the officer's interface language with the words they typed, and keeps it when only the figure changes", async () => {
    await speaks(officer, "cy");
    await save(answers("Nid ydym yn cofnodi hyn.", "120", 0));
    expect(await textLangs()).toMatchObject({ care_leavers_21_25: "cy", children_reunification_plan: "cy" });

    // Now in English, the officer changes a figure but not its words: the words are still Welsh.
    await speaks(officer, "en");
    await save(answers("Nid ydym yn cofnodi hyn.", "121", await lockVersion()));
    expect(await textLangs()).toMatchObject({ care_leavers_21_25: "cy", children_reunification_plan: "cy" });

    // New words are in the language they are written in now.
    await save(answers("We do not record this.", "121", await lockVersion()));
    expect(await textLangs()).toMatchObject({ care_leavers_21_25: "en", children_reunification_plan: "en" });
  });

  it("records the language of the sign-off, the submitted words and an amendment's reason", async () => {
    await speaks(officer, "cy");
    const signOff = { lockVersion: String(await lockVersion()), signedOffName: "Swyddog Caerdydd", signedOffRole: "Pennaeth Data" };
    const submitted = await run(() => check.action(routeArgs(post(path("check"), signOff, officer), params) as never));
    expect(submitted, JSON.stringify(submitted)).toMatchObject({ status: 302 });
    const ret = (await findReturn(db(), { collection: (await getCollection(db(), ROUND))!, authorityCode: CARDIFF }))!;
    const version = await db()
      .selectFrom("return_version")
      .select(["signed_off_lang", "amendment_reason_lang"])
      .where("return_id", "=", ret.id)
      .executeTakeFirstOrThrow();
    expect(version).toEqual({ signed_off_lang: "cy", amendment_reason_lang: null });
    const values = await db()
      .selectFrom("return_version_value")
      .select(["item_code", "text_lang"])
      .where("return_id", "=", ret.id)
      .execute();
    expect(Object.fromEntries(values.map((v) => [v.item_code, v.text_lang]))).toMatchObject({ care_leavers_21_25: "en" });

    await speaks(officer, "en");
    const amended = await run(() =>
      amend.action(
        routeArgs(post(path("amend"), { lockVersion: String(ret.lock_version), reason: "A figure was wrong." }, officer), params) as never,
      ),
    );
    expect(amended, JSON.stringify(amended)).toMatchObject({ status: 302 });
    const reopened = await db().selectFrom("return").select("amendment_reason_lang").where("id", "=", ret.id).executeTakeFirstOrThrow();
    expect(reopened.amendment_reason_lang).toBe("en");
  });

  it("records the language of each message of a query thread", async () => {
    const collection = (await getCollection(db(), FEBRUARY_2023))!;
    const scope = { collection, authorityCode: "W06000022" };
    await speaks(coordinator, "cy");
    const raised = await raiseQuery(db(), scope, {
      itemCode: "care_leavers_21_25",
      body: "A yw'r ffigur hwn yn gywir?",
      actor: { userId: coordinator.userId, role: "coordinator", authorityCode: null },
    });
    expect(raised).toEqual({ ok: true });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const newport = await signIn(db(), "officer.newport@authorities.example");
    await replyToQuery(db(), scope, {
      queryId: query.id,
      body: "Yes, it is right.",
      actor: { userId: newport.userId, role: "officer", authorityCode: "W06000022" },
    });
    const messages = await db()
      .selectFrom("value_query_message")
      .select(["body", "lang"])
      .where("query_id", "=", query.id)
      .orderBy("id")
      .execute();
    expect(messages).toEqual([
      { body: "A yw'r ffigur hwn yn gywir?", lang: "cy" },
      { body: "Yes, it is right.", lang: "en" },
    ]);
  });

  it("loads the February 2023 reply's words as English, the portal's own notes among them", async () => {
    const rows = await db()
      .selectFrom("return_version_value as v")
      .innerJoin("return as r", "r.id", "v.return_id")
      .innerJoin("collection as c", "c.id", "r.collection_id")
      .select(["v.text_lang", "v.caveat", "v.reason"])
      .where("c.code", "=", FEBRUARY_2023)
      .execute();
    expect(new Set(rows.map((r) => r.text_lang))).toEqual(new Set(["en"]));
    expect(rows.some((r) => r.caveat === PORTAL_TEXT.rhonddaCynonTafDate.en)).toBe(true);
    const signed = await db()
      .selectFrom("return_version as rv")
      .innerJoin("return as r", "r.id", "rv.return_id")
      .innerJoin("collection as c", "c.id", "r.collection_id")
      .select(["rv.signed_off_name", "rv.signed_off_lang"])
      .where("c.code", "=", FEBRUARY_2023)
      .execute();
    expect(new Set(signed.map((s) => `${s.signed_off_name} (${s.signed_off_lang})`))).toEqual(
      new Set([`${PORTAL_TEXT.february2023SignedOffName.en} (en)`]),
    );
  });

  it("publishes each reason with its language: the authorities' own words stay English on the Welsh page", async () => {
    const outcome = await run(() =>
      statistics.loader(routeArgs(new Request(`http://localhost/statistics/${FEBRUARY_2023}`), { code: FEBRUARY_2023 }) as never),
    );
    expect(outcome.kind).toBe("data");
    const data = (outcome as { data: Awaited<ReturnType<typeof statistics.loader>> }).data as unknown as {
      reasons: { reason: string; lang: string | null }[];
      cells: { caveat: string | null; textLang?: string | null }[];
    };
    expect(data.reasons.find((r) => r.reason === FEBRUARY_2023_REASONS.care_experienced_parents_child_removed)?.lang).toBe("en");
    expect(data.cells.filter((c) => c.caveat).every((c) => c.textLang === "en")).toBe(true);
  });
});

describe("words as a page shows them", () => {
  it("shows the portal's own sentences in the page's language, and anyone else's as written, with their language", () => {
    for (const words of Object.values(PORTAL_TEXT)) {
      expect(asShownIn("cy", words.en, "en")).toEqual({ text: words.cy, lang: "cy" });
      expect(asShownIn("en", words.en, "en")).toEqual({ text: words.en, lang: "en" });
    }
    const reason = FEBRUARY_2023_REASONS.care_experienced_parents;
    expect(asShownIn("cy", reason, "en")).toEqual({ text: reason, lang: "en" });
    expect(asShownIn("cy", "Rhywbeth", null)).toEqual({ text: "Rhywbeth", lang: null });
  });

  it("sorts with Welsh collation on a Welsh page: Ch after C, Dd after D, Ll after L", () => {
    const names = ["Llanelli", "Lyon", "Chwilog", "Cymru", "Conwy", "Ddinas", "Dyfed"];
    expect(sortForDisplay("cy", names, (n) => n)).toEqual(["Conwy", "Cymru", "Chwilog", "Dyfed", "Ddinas", "Lyon", "Llanelli"]);
    expect(sortForDisplay("en", names, (n) => n)).toEqual(["Chwilog", "Conwy", "Cymru", "Ddinas", "Dyfed", "Llanelli", "Lyon"]);
  });
});
