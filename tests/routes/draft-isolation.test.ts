/**
 * A draft is its authority's working copy: only that authority's officers see it. The analyst
 * (who reads submitted and accepted data only) and the coordinator see what was last submitted,
 * and before the first submission, a page that says nothing has been submitted yet: never the
 * draft's figures, caveats or reasons, in the loader's data, the rendered page (English and
 * Welsh), or the template download. The model decides, by the reader, not only the route.
 */
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as templateRoute from "#app/routes/returns.$collectionCode.$authorityCode.template[.]xlsx.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { DraftRefused, valuesShown, workingValues } from "#app/models/return.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { translate } from "#app/i18n/i18n.ts";
import type { Language } from "#db/types.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { bodyBytes } from "../support/returns.ts";
import { CARDIFF, formAnswers, OPEN_ROUND as ROUND } from "../hardening/fixtures.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, useSignedIn, type Visitor } from "../support/requests.ts";

const path = (page = "") => `/returns/${ROUND}/${CARDIFF}${page ? `/${page}` : ""}`;
const params = { collectionCode: ROUND, authorityCode: CARDIFF };
const CAVEAT = "Draft caveat heron-wharf: 41 of these are parents";
const REASON = "Draft reason lamplight-quay: not linked yet";
/** The planted figure, as a number alone or as the page formats it ("3,717"), not inside another word. */
const FIGURE = /(?<![\w.,-])3,?717(?![\w])/;

describe("a draft never submitted", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();
  const people = useSignedIn(db, { cardiff: OFFICER.cardiff, coordinator: COORDINATOR, analyst: ANALYST });

  const setLanguage = (email: string, language: Language) =>
    db().updateTable("app_user").set({ language }).where("email", "=", email).execute();

  const loaderData = async (visitor: Visitor) => {
    const outcome = await run(() => form.loader(routeArgs(get(path(), visitor), params) as never));
    if (outcome.kind !== "data") throw new Error(`expected the return page, got ${outcome.status}`);
    return outcome.data as Awaited<ReturnType<typeof form.loader>>;
  };

  /** The whole page, as the server renders it for this person. */
  const html = async (visitor: Visitor) => {
    const response = await portal.page(get(path(), visitor));
    expect(response.status).toBe(200);
    return response.text();
  };

  const templateText = async (visitor: Visitor) => {
    const outcome = await run(() => templateRoute.loader(routeArgs(get(path("template.xlsx"), visitor), params) as never));
    if (outcome.kind !== "response" || outcome.status !== 200) throw new Error(`expected a template, got ${outcome.status}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    const cells: string[] = [];
    for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value))));
    return cells.join("\n");
  };

  const expectNoDraftIn = (text: string, what: string) => {
    expect(text, `${what}: the draft's figure`).not.toMatch(FIGURE);
    expect(text, `${what}: the draft's caveat`).not.toContain("heron-wharf");
    expect(text, `${what}: the draft's reason`).not.toContain("lamplight-quay");
  };

  beforeAll(async () => {
    // Cardiff's officer plants a draft in the open round, which Cardiff has never submitted.
    const saved = await run(() =>
      form.action(
        routeArgs(
          post(
            path(),
            formAnswers({
              care_leavers_21_25: { state: "reported", number: "3717", caveat: CAVEAT },
              care_experienced_parents_recent: { state: "unknown", cannot: "yes", reason: REASON },
            }),
            people.cardiff,
          ),
          params,
        ) as never,
      ),
    );
    expect(saved).toMatchObject({ kind: "response", status: 302 });
  });

  it("is shown to Cardiff's own officer, figure, caveat and reason", async () => {
    const data = await loaderData(people.cardiff);
    expect(data.values.care_leavers_21_25).toMatchObject({ number: 3717, caveat: CAVEAT });
    expect(data.nothingSubmitted).toBe(false);
    const page = await html(people.cardiff);
    expect(page).toMatch(FIGURE);
    expect(page).toContain("heron-wharf");
    expect(page).toContain("lamplight-quay");
    expect(await templateText(people.cardiff)).toContain("heron-wharf");
  });

  for (const [who, email] of [
    ["the analyst", ANALYST],
    ["the coordinator", COORDINATOR],
  ] as const) {
    for (const lang of ["en", "cy"] as const) {
      it(`is not shown to ${who} (${lang}): the page says nothing has been submitted yet`, async () => {
        await setLanguage(email, lang);
        const visitor = who === "the analyst" ? people.analyst : people.coordinator;
        const data = await loaderData(visitor);
        expectNoDraftIn(JSON.stringify(data), `${who}'s loader data`);
        expect(data.nothingSubmitted).toBe(true);
        expect(Object.values(data.values).every((v) => v.state === null && v.number === null)).toBe(true);
        const page = await html(visitor);
        expectNoDraftIn(page, `${who}'s page in ${lang}`);
        expect(page).toContain(translate(lang, "review.nothingSubmitted").replaceAll("'", "&#x27;"));
        await setLanguage(email, "en");
      });
    }
  }

  it("is not in the template the coordinator downloads", async () => {
    expectNoDraftIn(await templateText(people.coordinator), "the coordinator's template");
  });

  it("is refused by the model to any reader but the authority's officers", async () => {
    const collection = (await getCollection(db(), ROUND))!;
    const scope = { collection, authorityCode: CARDIFF };
    for (const email of [ANALYST, COORDINATOR, OFFICER.newport]) {
      const user = await db()
        .selectFrom("app_user")
        .select(["role", "authority_code as authorityCode", "is_admin as isAdmin"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      const reader = readerFor(user);
      await expect(workingValues(db(), reader, scope)).rejects.toBeInstanceOf(DraftRefused);
      const shown = await valuesShown(db(), reader, scope, { submittedVersion: null, editing: true });
      expect(shown.of).toBe("nothing");
      expectNoDraftIn(JSON.stringify(shown), email);
    }
  });
});
