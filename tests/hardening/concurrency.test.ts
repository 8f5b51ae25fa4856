/**
 * Concurrency: saves and submissions racing through the route actions, on the suite's database
 * (PostgreSQL in CI, with a pool of connections; PGlite locally, where one caller holds the
 * connection at a time, so the same races are run serialised). Exactly one of two saves from the
 * same lock version wins, the other is told; every committed save is in the database with its
 * audit rows; nothing deadlocks or fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as catalogueNew from "#app/routes/catalogue.new.tsx";
import * as inviteNew from "#app/routes/admin.users.new.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { expectEveryValueAudited, visitorFor } from "../support/hardening.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, type Visitor } from "../support/requests.ts";
import { testEngine } from "../support/engine.ts";
import { workOfTest } from "../support/test-work.ts";
import { CARDIFF, formAnswers, ITEM, OPEN_ROUND, userId } from "./fixtures.ts";

const engine = testEngine().kind;
const path = (authority: string, page = "") => `/returns/${OPEN_ROUND}/${authority}${page ? `/${page}` : ""}`;
const params = (authority: string) => ({ collectionCode: OPEN_ROUND, authorityCode: authority });

/** Just the one item, as the form posts it: the rest of the return left blank (a draft may be). */
const oneItem = (number: number, lockVersion: number) => {
  const fields: Record<string, string> = { lockVersion: String(lockVersion), intent: "save" };
  fields[`${ITEM}.state`] = "reported";
  fields[`${ITEM}.number`] = String(number);
  return fields;
};

describe(`concurrent saves (${engine})`, () => {
  const db = useDemoDatabase();
  let authorities: { code: string; officer: number }[];

  beforeAll(async () => {
    authorities = (
      await db()
        .selectFrom("app_user")
        .select(["authority_code", "id"])
        .where("role", "=", "officer")
        .where("email", "like", "officer.%")
        .orderBy("authority_code")
        .execute()
    ).map((row) => ({ code: row.authority_code!, officer: row.id }));
    expect(authorities).toHaveLength(22);
  });

  const save = (visitor: Visitor, authority: string, fields: Record<string, string>) =>
    run(() => form.action(routeArgs(post(path(authority), fields, visitor), params(authority)) as never));

  const lockVersion = async (visitor: Visitor, authority: string) => {
    const outcome = await run(() => form.loader(routeArgs(get(path(authority), visitor), params(authority)) as never));
    if (outcome.kind !== "data") throw new Error(`no form for ${authority}: ${outcome.status}`);
    return (outcome.data as { lockVersion: number }).lockVersion;
  };

  const currentValue = async (authority: string) =>
    db()
      .selectFrom("value as v")
      .innerJoin("return as r", "r.id", "v.return_id")
      .innerJoin("collection as c", "c.id", "r.collection_id")
      .select(["v.number", "r.lock_version", "r.id"])
      .where("c.code", "=", OPEN_ROUND)
      .where("r.authority_code", "=", authority)
      .where("v.item_code", "=", ITEM)
      .executeTakeFirst();

  // 220 saves through the real route: 16 s alone, over the default minute when the whole suite loads both cores.
  it("22 authorities x 10 concurrent saves: every committed save is stored and audited, as many as were confirmed, no deadlock or error", async (context) => {
    const work = workOfTest(context);
    const SAVERS = 10;
    const confirmed = new Map<string, number[]>();
    const unexpected: string[] = [];
    let attempts = 0;
    let conflicts = 0;
    const saver = async (authority: { code: string; officer: number }, index: number) => {
      const visitor = await visitorFor(db(), authority.officer);
      const number = 1000 + index;
      for (let attempt = 0; attempt < 60; attempt++) {
        work.signal.throwIfAborted();
        const based = await lockVersion(visitor, authority.code);
        attempts++;
        const outcome = await save(visitor, authority.code, oneItem(number, based));
        if (outcome.status === 302 && outcome.kind === "response" && outcome.location === `${path(authority.code)}?saved=1`) {
          confirmed.set(authority.code, [...(confirmed.get(authority.code) ?? []), number]);
          return;
        }
        if (outcome.status === 409 && outcome.kind === "data" && (outcome.data as { conflict: boolean }).conflict) {
          conflicts++;
          continue;
        }
        unexpected.push(`${authority.code} saver ${index}: ${outcome.status}`);
        return;
      }
      unexpected.push(`${authority.code} saver ${index}: still in conflict after 60 attempts`);
    };
    const started = Date.now();
    await work.track(Promise.all(authorities.flatMap((authority) => Array.from({ length: SAVERS }, (_, i) => saver(authority, i)))));
    const took = Date.now() - started;
    expect(unexpected).toEqual([]);

    let committed = 0;
    for (const authority of authorities) {
      const numbers = confirmed.get(authority.code) ?? [];
      const stored = (await currentValue(authority.code))!;
      // The return was created by the first save (lock version 1) and bumped by each one after.
      expect(stored.lock_version, `${authority.code}: one lock version per confirmed save`).toBe(numbers.length);
      const audit = await db()
        .selectFrom("audit_log")
        .select(["after", "actor_user_id"])
        .where("action", "=", "value.change")
        .where("entity_key", "=", `${stored.id}:${ITEM}`)
        .orderBy("id")
        .execute();
      const audited = audit.map((row) => (row.after as { number: number }).number);
      expect([...audited].sort(), `${authority.code}: an audit row for each confirmed save, and no other`).toEqual([...numbers].sort());
      expect(audit.every((row) => row.actor_user_id === authority.officer)).toBe(true);
      expect(stored.number, `${authority.code}: the value is the last save's`).toBe(audited.at(-1));
      committed += stored.lock_version;
    }
    const successes = [...confirmed.values()].reduce((n, list) => n + list.length, 0);
    expect(committed).toBe(successes);
    expect(successes).toBe(22 * SAVERS);
    await expectEveryValueAudited(db());
    console.log(
      `concurrency (${engine}): 22 authorities x ${SAVERS} concurrent savers: ${attempts} save requests, ${conflicts} conflicts, ${successes} committed, ${took} ms`,
    );
  }, 240_000);

  it("two officers of one authority saving from the same lock version at once: one wins, the other gets the conflict, nothing is lost", async (context) => {
    const work = workOfTest(context);
    // A second officer for Cardiff.
    const [second] = await db()
      .insertInto("app_user")
      .values({
        email: "officer.cardiff.2@authorities.example",
        name: "Second Officer (Cardiff)",
        role: "officer",
        authority_code: CARDIFF,
      })
      .returning("id")
      .execute();
    const first = await visitorFor(db(), await userId(db(), OFFICER.cardiff));
    const other = await visitorFor(db(), second!.id);
    let races = 0;
    // The first race creates the return (both from "no return yet"); the others bump its lock version.
    for (let round = 0; round < 12; round++) {
      work.signal.throwIfAborted();
      const based = await lockVersion(first, CARDIFF);
      const [a, b] = await work.track(
        Promise.all([
          save(first, CARDIFF, formAnswers({ [ITEM]: { state: "reported", number: String(200 + round) } }, based)),
          save(other, CARDIFF, formAnswers({ [ITEM]: { state: "reported", number: String(300 + round) } }, based)),
        ]),
      );
      const statuses = [a.status, b.status].sort();
      expect(statuses, `round ${round}`).toEqual([302, 409]);
      const [winner, loser] = a.status === 302 ? [200 + round, b] : [300 + round, a];
      expect(loser.kind === "data" && (loser.data as { conflict: boolean; input: Record<string, { number: string }> })).toMatchObject({
        conflict: true,
        input: { [ITEM]: { number: String(winner === 200 + round ? 300 + round : 200 + round) } },
      });
      const stored = await currentValue(CARDIFF);
      expect(stored?.number, `round ${round}: the winner's figure is kept`).toBe(winner);
      expect(stored?.lock_version).toBe(based === 0 ? 1 : based + 1);
      // The person told of the conflict applies their figure again on the new page: it goes through.
      const loserNumber = winner === 200 + round ? 300 + round : 200 + round;
      const again = await save(
        winner === 200 + round ? other : first,
        CARDIFF,
        formAnswers({ [ITEM]: { state: "reported", number: String(loserNumber) } }, stored!.lock_version),
      );
      expect(again.status).toBe(302);
      expect((await currentValue(CARDIFF))?.number).toBe(loserNumber);
      races++;
    }
    expect(races).toBe(12);
    await expectEveryValueAudited(db());
  });

  it("two coordinators adding the same catalogue item, or inviting the same person, at once: one is made, the other is told", async () => {
    const [first, second] = await Promise.all([
      visitorFor(db(), await userId(db(), COORDINATOR)),
      visitorFor(db(), await userId(db(), COORDINATOR)),
    ]);
    const item = {
      code: "raced_item",
      label_en: "Raced",
      label_cy: "Ras",
      definition_en: "Added twice at once.",
      definition_cy: "Ychwanegwyd ddwywaith.",
      min_value: "0",
      max_value: "",
      age_from: "",
      age_to: "",
      parent_code: "",
    };
    const added = await Promise.all(
      [first, second].map((visitor) => run(() => catalogueNew.action(routeArgs(post("/catalogue/new", item, visitor)) as never))),
    );
    expect(added.map((a) => a.status).sort()).toEqual([302, 400]);
    const refused = added.find((a) => a.status === 400)!;
    expect(refused.kind === "data" && refused.data).toMatchObject({ problems: { code: "itemForm.error.codeTaken" } });
    expect(
      await db()
        .selectFrom("audit_log")
        .select("id")
        .where("action", "=", "catalogue.create")
        .where("entity_key", "=", "raced_item")
        .execute(),
    ).toHaveLength(1);

    const person = { email: "raced.invite@authorities.example", name: "Raced", role: "officer", authorityCode: CARDIFF, language: "en" };
    const invited = await Promise.all(
      [first, second].map((visitor) => run(() => inviteNew.action(routeArgs(post("/admin/users/new", person, visitor)) as never))),
    );
    expect(invited.map((a) => a.status).sort()).toEqual([302, 400]);
    expect(await db().selectFrom("app_user").select("id").where("email", "=", person.email).execute()).toHaveLength(1);
  });

  it("22 authorities x 3 concurrent submissions of the same draft: one submission each, version 1, audited", async (context) => {
    const work = workOfTest(context);
    const outcomes: { authority: string; status: number; location: string | null }[] = [];
    await work.track(
      Promise.all(
        authorities.map(async (authority) => {
          const visitors = await Promise.all([0, 1, 2].map(() => visitorFor(db(), authority.officer)));
          // A whole valid return first (through the form), so that it can be submitted. Every figure
          // comes explained: the outlier checks compare with other authorities' figures, which are
          // being submitted at the same moment, and must not decide who wins here.
          const explained = (number: string) => ({ state: "reported", number, queryExplanation: "Checked with the team." });
          const whole = formAnswers(
            {
              [ITEM]: explained("50"),
              care_experienced_parents: explained("10"),
              care_experienced_mothers: explained("7"),
              care_experienced_fathers: explained("3"),
              care_experienced_parents_child_removed: explained("2"),
            },
            await lockVersion(visitors[0]!, authority.code),
          );
          expect((await save(visitors[0]!, authority.code, whole)).status, authority.code).toBe(302);
          const checkPage = await run(() =>
            check.loader(routeArgs(get(path(authority.code, "check"), visitors[0]), params(authority.code)) as never),
          );
          const page = checkPage.kind === "data" ? (checkPage.data as { lockVersion: number; problems: unknown[] }) : null;
          if (!page) throw new Error(`${authority.code}: no check page (${checkPage.status})`);
          expect(page.problems, authority.code).toEqual([]);
          const lock = page.lockVersion;
          const results = await Promise.all(
            visitors.map((visitor) =>
              run(() =>
                check.action(
                  routeArgs(
                    post(
                      path(authority.code, "check"),
                      { lockVersion: String(lock), signedOffName: "An Officer", signedOffRole: "Head of Service" },
                      visitor,
                    ),
                    params(authority.code),
                  ) as never,
                ),
              ),
            ),
          );
          for (const r of results)
            outcomes.push({ authority: authority.code, status: r.status, location: r.kind === "response" ? r.location : null });
        }),
      ),
    );
    for (const authority of authorities) {
      const mine = outcomes.filter((o) => o.authority === authority.code);
      const submitted = mine.filter((o) => o.status === 302 && o.location?.endsWith("/submitted?version=1"));
      expect(submitted, `${authority.code}: exactly one submission: ${JSON.stringify(mine)}`).toHaveLength(1);
      // The others were told: a conflict, or (having lost the race) sent back to the return now submitted.
      expect(
        mine.every((o) => o.status === 302 || o.status === 409),
        JSON.stringify(mine),
      ).toBe(true);
      const versions = await db()
        .selectFrom("return_version as rv")
        .innerJoin("return as r", "r.id", "rv.return_id")
        .innerJoin("collection as c", "c.id", "r.collection_id")
        .select(["rv.version", "r.id"])
        .where("c.code", "=", OPEN_ROUND)
        .where("r.authority_code", "=", authority.code)
        .execute();
      expect(versions.map((v) => v.version)).toEqual([1]);
      const audits = await db()
        .selectFrom("audit_log")
        .select("id")
        .where("action", "=", "return.submit")
        .where("entity_key", "=", String(versions[0]!.id))
        .execute();
      expect(audits, `${authority.code}: one submission audited`).toHaveLength(1);
    }
    await expectEveryValueAudited(db());
  });
});
