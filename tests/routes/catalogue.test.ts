import { describe, expect, it } from "vitest";
import * as catalogue from "#app/routes/catalogue._index.tsx";
import * as newItem from "#app/routes/catalogue.new.tsx";
import { translate, type MessageKey } from "#app/i18n/i18n.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, snapshot, useSignedIn } from "../support/requests.ts";

const item = (overrides: Record<string, string> = {}) => ({
  code: "care_leavers_16_20",
  label_en: "Care leavers aged 16 to 20 known to the authority",
  label_cy: "Pobl sy'n gadael gofal rhwng 16 ac 20 oed sy'n hysbys i'r awdurdod",
  definition_en: "Young people aged 16 to 20 on the reference date who are care leavers of this authority.",
  definition_cy: "Pobl ifanc 16 i 20 oed ar y dyddiad cyfeirio sy'n gadael gofal yr awdurdod hwn.",
  min_value: "0",
  max_value: "5000",
  age_from: "16",
  age_to: "20",
  parent_code: "",
  ...overrides,
});

describe("the catalogue of data items", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { coordinator: COORDINATOR, analyst: ANALYST, officer: OFFICER.cardiff });
  const add = (fields: Record<string, string>, visitor = people.coordinator) =>
    run(() => newItem.action(routeArgs(post("/catalogue/new", fields, visitor)) as never));
  const remove = (code: string, visitor = people.coordinator) =>
    run(() => catalogue.action(routeArgs(post("/catalogue", { code }, visitor)) as never));

  it("is read by coordinators and analysts, changed only by coordinators", async () => {
    expect((await catalogue.loader(routeArgs(get("/catalogue", people.analyst)) as never)).mayEdit).toBe(false);
    expect(await run(() => catalogue.loader(routeArgs(get("/catalogue", people.officer)) as never))).toMatchObject({ status: 404 });
    expect(await add(item(), people.analyst)).toMatchObject({ status: 404 });
    expect(await remove("care_leavers_21_25", people.analyst)).toMatchObject({ status: 404 });
  });

  it.each([
    [{ code: "Care Leavers" }, "code", "itemForm.error.code"],
    [{ code: "care_leavers_21_25" }, "code", "itemForm.error.codeTaken"],
    [{ label_cy: "" }, "label_cy", "itemForm.error.label_cy.missing"],
    [{ definition_en: "d".repeat(3001) }, "definition_en", "itemForm.error.definition_en.tooLong"],
    [{ max_value: "-1" }, "max_value", "itemForm.error.max_value.number"],
    [{ min_value: "1,000,000,001" }, "min_value", "itemForm.error.min_value.tooBig"],
    [{ age_to: "121" }, "age_to", "itemForm.error.age_to"],
    [{ min_value: "10", max_value: "5" }, "max_value", "itemForm.error.bounds"],
    [{ age_from: "25", age_to: "16" }, "age_to", "itemForm.error.ageBand"],
    [{ parent_code: "no_such_item" }, "parent_code", "itemForm.error.parent"],
  ])("refuses %j with a message against %s", async (overrides, fieldName, key) => {
    const before = await snapshot(db());
    const outcome = await add(item(overrides));
    expect(outcome.kind === "data" && (outcome.data as { problems: Record<string, string> }).problems[fieldName]).toBe(key);
    expect(await snapshot(db())).toBe(before);
  });

  it("names each field in its error, so that the error summary's messages can be told apart, in English and Welsh", async () => {
    const refused = async (overrides: Record<string, string>) => {
      const outcome = await add(item(overrides));
      expect(outcome).toMatchObject({ kind: "data", status: 400 });
      return (outcome as { data: { problems: Record<string, MessageKey> } }).data.problems;
    };
    const check = (problems: Record<string, MessageKey>, names: Record<string, string>) => {
      expect(Object.keys(problems).sort()).toEqual(Object.keys(names).sort());
      for (const lang of ["en", "cy"] as const) {
        const texts = Object.values(problems).map((key) => translate(lang, key));
        expect(new Set(texts).size, `${lang}: ${texts.join(" | ")}`).toBe(texts.length);
      }
      for (const [field, name] of Object.entries(names)) expect(translate("en", problems[field]!), field).toContain(name);
    };
    // Every number field wrong at once: each says which it is.
    check(await refused({ min_value: "ten", max_value: "-1", age_from: "16.5", age_to: "old" }), {
      min_value: "lowest allowed value",
      max_value: "highest allowed value",
      age_from: "lowest age",
      age_to: "highest age",
    });
    // And too big for each.
    check(await refused({ min_value: "1000000001", max_value: "1000000000", age_from: "121", age_to: "200" }), {
      min_value: "lowest allowed value",
      max_value: "highest allowed value",
      age_from: "lowest age",
      age_to: "highest age",
    });
    // The texts left empty, then too long.
    const empty = { label_en: "", label_cy: "", definition_en: "", definition_cy: "" };
    const texts = {
      label_en: "label in English",
      label_cy: "label in Welsh",
      definition_en: "definition in English",
      definition_cy: "definition in Welsh",
    };
    check(await refused(empty), texts);
    check(
      await refused({
        label_en: "l".repeat(301),
        label_cy: "l".repeat(301),
        definition_en: "d".repeat(3001),
        definition_cy: "d".repeat(3001),
      }),
      texts,
    );
  });

  it("adds an item with its bilingual label and definition, bounds and age band, audited", async () => {
    expect(await add(item())).toMatchObject({ kind: "response", location: "/catalogue#item-care_leavers_16_20" });
    const row = await db().selectFrom("data_item").selectAll().where("code", "=", "care_leavers_16_20").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ min_value: 0, max_value: 5000, age_from: 16, age_to: 20, label_cy: item().label_cy });
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "catalogue.create").executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ entity_key: "care_leavers_16_20", actor_user_id: people.coordinator.userId });
  });

  it("refuses to delete an item in use (and the database would too), and deletes one that is not", async () => {
    const before = await snapshot(db());
    expect(await remove("care_leavers_21_25")).toMatchObject({ status: 409, data: { refused: "care_leavers_21_25" } });
    expect(await remove("care_experienced_parents")).toMatchObject({ status: 409 });
    expect(await snapshot(db())).toBe(before);
    await expect(db().deleteFrom("data_item").where("code", "=", "care_leavers_21_25").execute()).rejects.toThrow(/foreign key/);
    expect(await remove("care_leavers_16_20")).toMatchObject({ kind: "response", location: "/catalogue?deleted=care_leavers_16_20" });
    expect(await db().selectFrom("data_item").select("code").where("code", "=", "care_leavers_16_20").executeTakeFirst()).toBeUndefined();
  });
});
