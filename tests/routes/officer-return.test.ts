import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as amend from "#app/routes/returns.$collectionCode.$authorityCode.amend.tsx";
import * as history from "#app/routes/returns.$collectionCode.$authorityCode.history.tsx";
import * as submitted from "#app/routes/returns.$collectionCode.$authorityCode.submitted.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { CARDIFF, formAnswers as answers, NEWPORT, OPEN_ROUND as ROUND, saveAndSubmit } from "../hardening/fixtures.ts";
import {
  ANALYST,
  COORDINATOR,
  get,
  OFFICER,
  post,
  routeArgs,
  run,
  signIn,
  snapshot,
  useSignedIn,
  type Visitor,
} from "../support/requests.ts";

const path = (authority: string, page = "") => `/returns/${ROUND}/${authority}${page ? `/${page}` : ""}`;
const params = (authority: string) => ({ collectionCode: ROUND, authorityCode: authority });

describe("an officer's return", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { cardiff: OFFICER.cardiff, newport: OFFICER.newport, coordinator: COORDINATOR, analyst: ANALYST });

  const save = (visitor: Visitor, fields: Record<string, string>, authority = CARDIFF) =>
    run(() => form.action(routeArgs(post(path(authority), fields, visitor), params(authority)) as never));

  const loadForm = async (visitor: Visitor, authority = CARDIFF) => {
    const outcome = await run(() => form.loader(routeArgs(get(path(authority), visitor), params(authority)) as never));
    if (outcome.kind !== "data") throw new Error(`expected the form, got ${outcome.status}`);
    return outcome.data as Awaited<ReturnType<typeof form.loader>>;
  };

  const problemKeys = (outcome: Awaited<ReturnType<typeof save>>) =>
    outcome.kind === "data"
      ? (outcome.data as { problems: { itemCode: string; key: string }[] }).problems.map((p) => `${p.itemCode}:${p.key}`)
      : [];

  it("sends anyone not signed in to sign in, and back here afterwards", async () => {
    const outcome = await run(() => form.loader(routeArgs(get(path(CARDIFF)), params(CARDIFF)) as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: `/login?returnTo=${encodeURIComponent(path(CARDIFF))}` });
  });

  it("shows Cardiff, which did not reply in February 2023, a blank return it can fill in", async () => {
    const data = await loadForm(people.cardiff);
    expect(data).toMatchObject({ editable: true, lockVersion: 0, returnStatus: null });
    expect(Object.values(data.values).every((v) => v.state === null)).toBe(true);
    expect(data.previous).toEqual({});
  });

  it("shows Newport its value last round beside the item", async () => {
    const data = await loadForm(people.newport, NEWPORT);
    // As the hint says it: the earlier round's reference date and this item's figure.
    expect(data.previous.care_leavers_21_25).toEqual({ date: "31 December 2022", text: "271" });
  });

  it("sends the page its words in the person's language only", async () => {
    const data = await loadForm(people.cardiff);
    expect(data.collection.items[0]).toMatchObject({
      code: "care_leavers_21_25",
      label: "Care leavers aged 21 to 25 known to the authority",
    });
    expect(data.authority).toEqual({ code: CARDIFF, name: "Cardiff" });
    const sent = JSON.stringify(data);
    for (const welsh of ["Caerdydd", "Pobl sy'n gadael gofal rhwng 21 a 25 oed", "Rhagfyr 2026"]) expect(sent).not.toContain(welsh);
  });

  it("“Add a note…” brings the form back as typed with that item's note open, and saves nothing", async () => {
    const before = await snapshot(db());
    const typed = answers({ care_leavers_21_25: { number: "95" }, care_experienced_parents: { number: "twelve" } });
    delete typed.intent;
    const outcome = await save(people.cardiff, { ...typed, more: "care_experienced_mothers" });
    expect(outcome).toMatchObject({ kind: "data", status: 200 });
    const data = (outcome as { data: { more: string; basedOn: number; problems: unknown[]; input: Record<string, { number: string }> } })
      .data;
    expect(data.basedOn).toBe(0);
    expect(data.more).toBe("care_experienced_mothers");
    // Neither checked nor saved: a number that is not one waits for the save to be told.
    expect(data.problems).toEqual([]);
    expect(data.input.care_leavers_21_25!.number).toBe("95");
    expect(data.input.care_experienced_parents!.number).toBe("twelve");
    expect(await snapshot(db())).toBe(before);
    // The form keeps the lock version it was built from: a colleague's save in between is still a conflict.
    const stale = await save(people.cardiff, { ...typed, lockVersion: "3", more: "care_experienced_mothers" });
    expect(stale).toMatchObject({ kind: "data", status: 200, data: { basedOn: 3 } });
    // An item the form does not have is refused.
    for (const more of ["no_such_item", "care_leavers_21_25x"]) {
      expect(await save(people.cardiff, { ...typed, more })).toMatchObject({ kind: "response", status: 400 });
    }
    expect(await snapshot(db())).toBe(before);
  });

  it("keeps the lock version a refused form was built from, so that sent again it still meets a colleague's save in between", async () => {
    const { lockVersion } = await loadForm(people.cardiff);
    const before = await snapshot(db());
    const refused = await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: "twelve" } }, lockVersion));
    expect(refused).toMatchObject({ kind: "data", status: 400, data: { basedOn: lockVersion } });
    expect(await snapshot(db())).toBe(before);
  });

  it("gives another authority's officer a 404 for Cardiff's return, by address or by crafted post, and changes nothing", async () => {
    const before = await snapshot(db());
    const read = await run(() => form.loader(routeArgs(get(path(CARDIFF), people.newport), params(CARDIFF)) as never));
    expect(read).toMatchObject({ kind: "response", status: 404 });
    const write = await save(people.newport, answers());
    expect(write).toMatchObject({ kind: "response", status: 404 });
    const actions = [check.action, amend.action] as ((args: never) => Promise<unknown>)[];
    for (const action of actions) {
      const outcome = await run(() =>
        action(routeArgs(post(path(CARDIFF, "x"), { lockVersion: "0", reason: "x" }, people.newport), params(CARDIFF)) as never),
      );
      expect(outcome).toMatchObject({ kind: "response", status: 404 });
    }
    const loaders = [history.loader, submitted.loader, check.loader, amend.loader] as ((args: never) => Promise<unknown>)[];
    for (const loader of loaders) {
      const outcome = await run(() => loader(routeArgs(get(path(CARDIFF, "x"), people.newport), params(CARDIFF)) as never));
      expect(outcome).toMatchObject({ kind: "response", status: 404 });
    }
    expect(await snapshot(db())).toBe(before);
  });

  it("lets the coordinator and the analyst read the return but not change it", async () => {
    for (const visitor of [people.coordinator, people.analyst]) {
      expect((await loadForm(visitor)).editable).toBe(false);
      expect(await save(visitor, answers())).toMatchObject({ kind: "response", status: 404 });
    }
  });

  it("refuses a post without the session's CSRF token, and changes nothing", async () => {
    const before = await snapshot(db());
    const outcome = await run(() =>
      form.action(routeArgs(post(path(CARDIFF), answers(), people.cardiff, { csrf: false }), params(CARDIFF)) as never),
    );
    expect(outcome).toMatchObject({ kind: "response", status: 403 });
    const forged = await run(() =>
      form.action(
        routeArgs(
          post(path(CARDIFF), { ...answers(), csrf: people.newport.csrf }, { ...people.cardiff, csrf: "" }, { csrf: false }),
          params(CARDIFF),
        ) as never,
      ),
    );
    expect(forged).toMatchObject({ kind: "response", status: 403 });
    expect(await snapshot(db())).toBe(before);
  });

  describe("each error stops the save, is shown against its field, and changes nothing", () => {
    it.each([
      ["12.5", "error.number.notWhole"],
      ["-3", "error.number.negative"],
      ["twelve", "error.number.notANumber"],
      ["123456789012", "error.number.tooManyDigits"],
      ["5001", "error.number.aboveMaximum"],
    ])("a number typed as %j", async (typed, key) => {
      const before = await snapshot(db());
      const outcome = await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: typed } }));
      expect(outcome.status).toBe(400);
      expect(problemKeys(outcome)).toEqual([`care_leavers_21_25:${key}`]);
      expect(await snapshot(db())).toBe(before);
    });

    it.each([
      [{ cannot: "yes", state: "not_collected" }, "error.reason.missing"],
      [{ cannot: "yes", state: "unknown", number: "4", reason: "New system" }, "error.number.notWithState"],
      [{ cannot: "yes", reason: "New system" }, "error.state.missingForReason"],
      [{ state: "reported", number: "4", ageFrom: "25", ageTo: "18" }, "error.age.fromAfterTo"],
      [{ state: "reported", number: "4", refDay: "1", refMonth: "1", refYear: "2099" }, "error.referenceDate.future"],
      [{ state: "reported", number: "4", refDay: "31", refMonth: "2", refYear: "2026" }, "error.referenceDate.invalid"],
      [{ cannot: "yes", state: "guess" }, "error.state.invalid"],
    ])("a value %j", async (value, key) => {
      const before = await snapshot(db());
      const outcome = await save(people.cardiff, answers({ care_leavers_21_25: value }));
      expect(problemKeys(outcome)).toEqual([`care_leavers_21_25:${key}`]);
      expect(await snapshot(db())).toBe(before);
    });
  });

  it("ignores the state and reason, hidden from the person, when “I cannot give a number” is not ticked", async () => {
    const outcome = await save(people.cardiff, answers({ care_leavers_21_25: { state: "unknown", number: "99", reason: "stale" } }));
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
    const value = await db()
      .selectFrom("value as v")
      .innerJoin("return as r", "r.id", "v.return_id")
      .select(["v.state", "v.number", "v.reason"])
      .where("r.authority_code", "=", CARDIFF)
      .where("v.item_code", "=", "care_leavers_21_25")
      .executeTakeFirstOrThrow();
    expect(value).toMatchObject({ state: "reported", number: 99, reason: null });
  });

  it("accepts numbers as people type them, saves a draft with blanks, and audits each change", async () => {
    const { lockVersion } = await loadForm(people.cardiff);
    const auditBefore = await db()
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const outcome = await save(
      people.cardiff,
      answers({ care_leavers_21_25: { state: "reported", number: " 1,234 " }, care_experienced_parents_child_removed: {} }, lockVersion),
    );
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: `${path(CARDIFF)}?saved=1` });
    const data = await loadForm(people.cardiff);
    expect(data.values.care_leavers_21_25).toMatchObject({ state: "reported", number: 1234 });
    expect(data.values.care_experienced_parents_child_removed?.state).toBeNull();
    expect(data.lockVersion).toBe(lockVersion + 1);
    const audit = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "value.change")
      .where("authority_code", "=", CARDIFF)
      .orderBy("id", "desc")
      .execute();
    const auditAfter = await db()
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    // The leavers figure and the child-removed figure (now blank) changed; nothing else did.
    expect(auditAfter.n - auditBefore.n).toBe(2);
    expect(audit[0]).toMatchObject({ actor_user_id: people.cardiff.userId, entity: "value" });
    const leavers = audit.find((a) => a.entity_key.endsWith(":care_leavers_21_25"))!;
    expect(leavers.before).toMatchObject({ state: "reported", number: 99 });
    expect(leavers.after).toMatchObject({ state: "reported", number: 1234 });
  });

  it("never overwrites a save made in between: the second save gets the conflict, nothing is lost", async () => {
    const { lockVersion } = await loadForm(people.cardiff);
    const first = await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: "130" } }, lockVersion));
    expect(first.status).toBe(302);
    const before = await snapshot(db());
    const second = await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: "999" } }, lockVersion));
    expect(second.status).toBe(409);
    expect(second.kind === "data" && (second.data as { conflict: boolean; input: Record<string, { number: string }> })).toMatchObject({
      conflict: true,
      input: { care_leavers_21_25: { number: "999" } },
    });
    expect(await snapshot(db())).toBe(before);
    expect((await loadForm(people.cardiff)).values.care_leavers_21_25?.number).toBe(130);
    // Re-applying from the page the conflict showed (with the new lock version) goes through.
    const again = await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: "999" } }, lockVersion + 1));
    expect(again.status).toBe(302);
    const restored = await save(people.cardiff, answers({}, lockVersion + 2));
    expect(restored.status).toBe(302);
  });

  describe("checking and submitting", () => {
    const submit = (visitor: Visitor, fields: Record<string, string>, authority = CARDIFF) =>
      run(() => check.action(routeArgs(post(path(authority, "check"), fields, visitor), params(authority)) as never));
    const loadCheck = async (visitor: Visitor, authority = CARDIFF) => {
      const outcome = await run(() => check.loader(routeArgs(get(path(authority, "check"), visitor), params(authority)) as never));
      if (outcome.kind !== "data")
        throw new Error(`expected the check page, got ${outcome.status} ${outcome.kind === "response" ? outcome.location : ""}`);
      return outcome.data as Awaited<ReturnType<typeof check.loader>>;
    };

    it("saves a draft that breaks the rules across items, which the form states, and refuses to submit it, naming each", async () => {
      const { lockVersion, rules } = await loadForm(people.cardiff);
      expect(rules.map((r) => r.kind)).toEqual(expect.arrayContaining(["not_greater_than", "sum_equals"]));
      const outcome = await save(
        people.cardiff,
        answers(
          {
            // More parents had a child removed than there are parents; mothers and fathers add up to 11, not 10.
            care_experienced_parents_child_removed: { state: "reported", number: "11" },
            care_experienced_fathers: { state: "reported", number: "4" },
          },
          lockVersion,
        ),
      );
      expect(outcome).toMatchObject({ kind: "response", status: 302 });
      const page = await loadCheck(people.cardiff);
      expect(page.problems.map((p) => `${p.itemCode}:${p.key}`).sort()).toEqual([
        "care_experienced_parents:error.rule.sumEquals",
        "care_experienced_parents_child_removed:error.rule.notGreaterThan",
      ]);
      const before = await snapshot(db());
      const refused = await submit(people.cardiff, { lockVersion: String(page.lockVersion), signedOffName: "A", signedOffRole: "B" });
      expect(refused.status).toBe(400);
      expect(await snapshot(db())).toBe(before);
    });

    it("refuses to submit while a required item is blank", async () => {
      const { lockVersion } = await loadForm(people.cardiff);
      await save(people.cardiff, answers({ care_experienced_parents_child_removed: {} }, lockVersion));
      const page = await loadCheck(people.cardiff);
      expect(page.problems.map((p) => `${p.itemCode}:${p.key}`)).toEqual(["care_experienced_parents_child_removed:error.state.required"]);
      // The check page's links bring the form back with the same problem, to show beside the field.
      const fromCheck = await run(() => form.loader(routeArgs(get(`${path(CARDIFF)}?check=1`, people.cardiff), params(CARDIFF)) as never));
      expect(fromCheck.kind === "data" && (fromCheck.data as { checkProblems: { itemCode: string; key: string }[] }).checkProblems).toEqual(
        page.problems,
      );
      expect((await loadForm(people.cardiff)).checkProblems).toEqual([]);
      const before = await snapshot(db());
      const outcome = await submit(people.cardiff, { lockVersion: String(page.lockVersion), signedOffName: "A", signedOffRole: "B" });
      expect(outcome.status).toBe(400);
      expect(await snapshot(db())).toBe(before);
    });

    it("needs a name and role for the declaration", async () => {
      const { lockVersion } = await loadForm(people.cardiff);
      await save(people.cardiff, answers({}, lockVersion));
      const page = await loadCheck(people.cardiff);
      expect(page.problems).toEqual([]);
      const outcome = await submit(people.cardiff, { lockVersion: String(page.lockVersion), signedOffName: " ", signedOffRole: "" });
      expect(outcome.kind === "data" && outcome.data).toMatchObject({
        errors: { signedOffName: "check.error.nameMissing", signedOffRole: "check.error.roleMissing" },
      });
    });

    it("submits version 1 with the declaration, audited, and confirms it with a reference", async () => {
      const page = await loadCheck(people.cardiff);
      const outcome = await submit(people.cardiff, {
        lockVersion: String(page.lockVersion),
        signedOffName: "Siân Evans",
        signedOffRole: "Head of Children's Services",
      });
      expect(outcome).toMatchObject({ kind: "response", status: 302, location: `${path(CARDIFF, "submitted")}?version=1` });
      const confirmation = await run(() =>
        submitted.loader(routeArgs(get(path(CARDIFF, "submitted"), people.cardiff), params(CARDIFF)) as never),
      );
      expect(confirmation.kind === "data" && confirmation.data).toMatchObject({
        reference: `${CARDIFF}-${ROUND}-V1`.toUpperCase(),
        version: 1,
      });
      const audit = await db()
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "return.submit")
        .where("authority_code", "=", CARDIFF)
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({
        actor_user_id: people.cardiff.userId,
        after: { status: "submitted", submitted_version: 1, signed_off_name: "Siân Evans" },
      });
      const data = await loadForm(people.cardiff);
      expect(data).toMatchObject({ editable: false, mayAmend: true, returnStatus: "submitted", submittedVersion: 1 });
      // Saving the submitted return again is refused, saying so, with the answers kept.
      const again = await save(people.cardiff, answers({}, data.lockVersion));
      expect(again).toMatchObject({ kind: "data", status: 409 });
      expect(again.kind === "data" && again.data).toMatchObject({ refusal: { reason: "submitted", signedOffName: "Siân Evans" } });
    });

    it("amends with a reason into a new version, keeping the first readable, with what changed", async () => {
      const { lockVersion } = await loadForm(people.cardiff);
      const noReason = await run(() =>
        amend.action(
          routeArgs(
            post(path(CARDIFF, "amend"), { lockVersion: String(lockVersion), reason: "" }, people.cardiff),
            params(CARDIFF),
          ) as never,
        ),
      );
      expect(noReason.kind === "data" && noReason.data).toMatchObject({ error: "amend.error.reasonMissing" });
      const reopened = await run(() =>
        amend.action(
          routeArgs(
            post(
              path(CARDIFF, "amend"),
              { lockVersion: String(lockVersion), reason: "Two care leavers were counted twice." },
              people.cardiff,
            ),
            params(CARDIFF),
          ) as never,
        ),
      );
      expect(reopened).toMatchObject({ kind: "response", status: 302, location: path(CARDIFF) });
      const draft = await loadForm(people.cardiff);
      expect(draft).toMatchObject({ editable: true, returnStatus: "draft", submittedVersion: 1 });
      await save(people.cardiff, answers({ care_leavers_21_25: { state: "reported", number: "118" } }, draft.lockVersion));
      const page = await loadCheck(people.cardiff);
      expect(page).toMatchObject({ isAmendment: true, amendmentReason: "Two care leavers were counted twice." });
      const outcome = await submit(people.cardiff, {
        lockVersion: String(page.lockVersion),
        signedOffName: "Siân Evans",
        signedOffRole: "Head of Service",
      });
      expect(outcome).toMatchObject({ location: `${path(CARDIFF, "submitted")}?version=2` });
      const versions = await run(() => history.loader(routeArgs(get(path(CARDIFF, "history"), people.cardiff), params(CARDIFF)) as never));
      const list = versions.kind === "data" ? (versions.data as Awaited<ReturnType<typeof history.loader>>).versions : [];
      expect(list.map((v) => [v.version, v.amendment_reason, v.values.care_leavers_21_25?.number])).toEqual([
        [1, null, 120],
        [2, "Two care leavers were counted twice.", 118],
      ]);
    });
  });

  it("flags a big change from last round as a query that needs an explanation before submission", async () => {
    const flagged = answers({ care_leavers_21_25: { state: "reported", number: "40" } });
    expect((await save(people.newport, flagged, NEWPORT)).status).toBe(302);
    const data = await loadForm(people.newport, NEWPORT);
    expect(data.flagsToExplain).toEqual([{ itemCode: "care_leavers_21_25", kind: "change", params: { previous: 271, current: 40 } }]);
    const check1 = await run(() => check.loader(routeArgs(get(path(NEWPORT, "check"), people.newport), params(NEWPORT)) as never));
    expect(check1.kind === "data" && (check1.data as { problems: { key: string }[] }).problems.map((p) => p.key)).toEqual([
      "error.flag.explanationMissing",
    ]);
    const explained = answers(
      { care_leavers_21_25: { state: "reported", number: "40", queryExplanation: "Data cleansing removed duplicates." } },
      data.lockVersion,
    );
    expect((await save(people.newport, explained, NEWPORT)).status).toBe(302);
    const check2 = await run(() => check.loader(routeArgs(get(path(NEWPORT, "check"), people.newport), params(NEWPORT)) as never));
    expect(check2.kind === "data" && (check2.data as { problems: unknown[] }).problems).toEqual([]);
  });

  describe("a save nobody can retry from the form keeps the answers typed and says why", () => {
    const CONWY = "W06000003";
    let conwy: Visitor;
    beforeAll(async () => {
      conwy = await signIn(db(), OFFICER.conwy);
    });
    const typed = (lockVersion: number) => answers({ care_leavers_21_25: { state: "reported", number: "77" } }, lockVersion);

    it("when the round closed while the officer was typing", async () => {
      const { lockVersion } = await loadForm(conwy, CONWY);
      await db().updateTable("collection").set({ status: "closed" }).where("code", "=", ROUND).execute();
      try {
        const before = await snapshot(db());
        const outcome = await save(conwy, typed(lockVersion), CONWY);
        expect(outcome).toMatchObject({ kind: "data", status: 409 });
        expect(outcome.kind === "data" && outcome.data).toMatchObject({
          refusal: { reason: "closed" },
          input: { care_leavers_21_25: { number: "77" } },
        });
        expect(await snapshot(db())).toBe(before);
      } finally {
        await db().updateTable("collection").set({ status: "open" }).where("code", "=", ROUND).execute();
      }
    });

    it("when a colleague submitted the return meanwhile", async () => {
      const { lockVersion } = await loadForm(conwy, CONWY);
      await saveAndSubmit(db(), ROUND, CONWY, 55);
      const before = await snapshot(db());
      const outcome = await save(conwy, typed(lockVersion), CONWY);
      expect(outcome).toMatchObject({ kind: "data", status: 409 });
      expect(outcome.kind === "data" && outcome.data).toMatchObject({
        refusal: { reason: "submitted", signedOffName: "Fixture Officer", signedOffRole: "Head of Service" },
        input: { care_leavers_21_25: { number: "77" } },
      });
      expect(await snapshot(db())).toBe(before);
    });
  });

  it("cannot be filled in before the round opens, and says when it opens", async () => {
    const opensOn = "2099-01-01";
    const { due_on } = await db().selectFrom("collection").select("due_on").where("code", "=", ROUND).executeTakeFirstOrThrow();
    const { lockVersion } = await loadForm(people.newport, NEWPORT);
    await db().updateTable("collection").set({ opens_on: opensOn, due_on: opensOn }).where("code", "=", ROUND).execute();
    try {
      expect(await loadForm(people.newport, NEWPORT)).toMatchObject({ editable: false, opensOn });
      const before = await snapshot(db());
      const outcome = await save(people.newport, answers({}, lockVersion), NEWPORT);
      expect(outcome.kind === "data" && outcome.data).toMatchObject({ refusal: { reason: "notYetOpen", opensOn } });
      expect(await snapshot(db())).toBe(before);
    } finally {
      await db().updateTable("collection").set({ opens_on: "2026-11-16", due_on }).where("code", "=", ROUND).execute();
    }
  });
});
