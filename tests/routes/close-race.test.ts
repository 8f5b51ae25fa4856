/**
 * Closing a round while an officer's submission is on its way. The return model checks
 * that the round is open against the collection the request read when it began (roundRefusal on
 * scope.collection), not inside its transaction, and nothing it does waits for the round's lock.
 * So a submission already past its guard lands after the round has closed, even in the middle of
 * a publication: the publication checked that every submitted return is accepted, then read the
 * figures, and the officer's never-accepted figures were among them.
 */
import { sql, type Kysely, type KyselyPlugin, type Transaction } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "#db/types.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { amendReturn, findReturn, saveReturn, submitReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { publishStatistics, type PublishedCell } from "#app/models/statistics.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import { action as statusAction } from "#app/routes/collections.$code.status.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, OFFICER, post, routeArgs, run, signIn } from "../support/requests.ts";
import { parentsReturn } from "../support/returns.ts";

const DECEMBER = "2026-12-care-experienced-parents";
const NEWPORT = "W06000022";

/** A hook run after the query whose SQL mentions `marker` returns (the results unchanged): a pause at one point of a transaction. */
function after(marker: string, hook: () => Promise<void>): KyselyPlugin {
  const marked = new WeakSet<object>();
  return {
    transformQuery({ node, queryId }) {
      if (JSON.stringify(node).includes(marker)) marked.add(queryId);
      return node;
    },
    async transformResult({ result, queryId }) {
      if (marked.has(queryId)) await hook();
      return result;
    },
  };
}

describe("closing and publishing a round while an officer's submission is on its way", () => {
  const db = useDemoDatabase();

  async function lockWaiters() {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db());
    return rows[0]!.n;
  }
  async function until(condition: () => Promise<boolean> | boolean, what: string) {
    for (let waited = 0; !(await condition()); waited += 20) {
      if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("publishes no figure of a return submitted after the round closed, and never accepted", async () => {
    const collection = (await getCollection(db(), DECEMBER))!;
    expect(collection.status).toBe("open");
    // Every return submitted so far accepted: the publication waits on none.
    const coordinatorRow = await db().selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow();
    const coordinatorActor = {
      userId: coordinatorRow.id,
      role: "coordinator" as const,
      authorityCode: null,
    };
    for (const ret of await db()
      .selectFrom("return")
      .select(["authority_code", "lock_version"])
      .where("collection_id", "=", collection.id)
      .where("status", "in", ["submitted", "queried"])
      .execute()) {
      expect(
        await acceptReturn(db(), { collection, authorityCode: ret.authority_code }, { basedOn: ret.lock_version, actor: coordinatorActor }),
      ).toEqual({
        ok: true,
      });
    }
    // Newport's draft, complete, about to be submitted by its officer: 77 care leavers, never accepted.
    const newport = { collection, authorityCode: NEWPORT };
    const before = (await findReturn(db(), newport))?.lock_version ?? 0;
    const saved = await saveReturn(db(), newport, {
      basedOn: before,
      raw: parentsReturn(
        {
          leavers: 77,
          parents: 12,
          mothers: 7,
          home: 9,
          removed: 2,
        },
        { explained: true },
      ),
      actor: SYSTEM_ACTOR,
    });
    expect(saved).toMatchObject({ ok: true });
    const lockVersion = saved.ok ? saved.lockVersion : 0;

    const officer = await signIn(db(), OFFICER.newport);
    const coordinator = await signIn(db(), COORDINATOR);

    // A colleague's save of Newport's return is in flight (its row locked): the officer's
    // submission, past its guard with the round open, waits for it.
    let releaseColleague!: () => void;
    let colleagueHolds!: () => void;
    const holding = new Promise<void>((resolve) => (colleagueHolds = resolve));
    const released = new Promise<void>((resolve) => (releaseColleague = resolve));
    const colleague = db()
      .transaction()
      .execute(async (trx: Transaction<Database>) => {
        await trx
          .selectFrom("return")
          .select("id")
          .where("collection_id", "=", collection.id)
          .where("authority_code", "=", NEWPORT)
          .forUpdate()
          .execute();
        colleagueHolds();
        await released;
      });
    await holding;
    let submitDone = false;
    const submitting = run(() =>
      check.action(
        routeArgs(
          post(
            `/returns/${DECEMBER}/${NEWPORT}/check`,
            {
              lockVersion: String(lockVersion),
              signedOffName: "N. Officer",
              signedOffRole: "Analyst",
            },
            officer,
          ),
          { collectionCode: DECEMBER, authorityCode: NEWPORT },
        ) as never,
      ),
    ).finally(() => {
      submitDone = true;
    });
    await until(async () => (await lockWaiters()) >= 1, "the submission to wait");

    // The coordinator closes the round.
    let closeDone = false;
    const closing = run(() =>
      statusAction(routeArgs(post(`/collections/${DECEMBER}/status`, { step: "close" }, coordinator), { code: DECEMBER }) as never),
    ).finally(() => {
      closeDone = true;
    });
    await until(async () => closeDone || (await lockWaiters()) >= 2, "the close to finish or wait");

    // Then publishes; the colleague's save finishes just after the publication's check of what awaits acceptance.
    let hooked = false;
    const publishingDb = db().withPlugin(
      after('"amending"', async () => {
        hooked = true;
        releaseColleague();
        await until(() => submitDone, "the submission to finish");
      }),
    ) as Kysely<Database>;
    let publishDone = false;
    const publishing = (async () => {
      await until(() => closeDone, "the round to close");
      const closed = (await getCollection(db(), DECEMBER))!;
      return publishStatistics(
        publishingDb,
        readerFor({
          role: "coordinator",
          isAdmin: false,
          authorityCode: null,
        } as never),
        closed,
        coordinatorRow.id,
      );
    })().finally(() => {
      publishDone = true;
    });
    await until(async () => hooked || publishDone || (await lockWaiters()) >= 2, "the publication to reach its check");
    releaseColleague();
    const [submitted, closedOutcome, published] = await Promise.all([submitting, closing, publishing, colleague]);

    const ret = (await findReturn(db(), newport))!;
    const publication = await db()
      .selectFrom("statistics_publication")
      .select("figures")
      .where("collection_id", "=", collection.id)
      .executeTakeFirst();
    const figures = publication ? (typeof publication.figures === "string" ? JSON.parse(publication.figures) : publication.figures) : null;
    const newportLeavers = (figures?.cells as PublishedCell[] | undefined)?.find(
      (c) => c.authorityCode === NEWPORT && c.itemCode === "care_leavers_21_25",
    );
    // What happened, for the report.
    console.log(
      JSON.stringify({
        submit: submitted.kind === "response" ? submitted.location : submitted,
        close: closedOutcome.kind === "response" ? closedOutcome.location : closedOutcome,
        published,
        returnStatus: ret.status,
        submittedVersion: ret.submitted_version,
        acceptedVersion: ret.accepted_version,
        publishedNewportLeavers: newportLeavers ?? null,
      }),
    );
    // Newport's figures were never accepted: the published statistics must not show them.
    expect(ret.accepted_version).toBeNull();
    expect(newportLeavers?.number ?? null, "Newport's unaccepted 77 published").not.toBe(77);
    // And a closed round takes no submission: one that lands must have landed before the close did.
    if (ret.submitted_version !== null) expect(published).toMatchObject({ ok: false, reason: "notAccepted" });
  }, 60_000);

  it("takes no save, submission or amendment into a round closed after the request read it open", async () => {
    // The officers' requests read the round (open) before the coordinator's close committed.
    await db().updateTable("collection").set({ status: "open" }).where("code", "=", DECEMBER).execute();
    const asRead = (await getCollection(db(), DECEMBER))!;
    const cardiff = { collection: asRead, authorityCode: "W06000015" };
    const conwy = { collection: asRead, authorityCode: "W06000003" };
    const coordinator = await signIn(db(), COORDINATOR);
    const closed = await run(() =>
      statusAction(routeArgs(post(`/collections/${DECEMBER}/status`, { step: "close" }, coordinator), { code: DECEMBER }) as never),
    );
    expect(closed).toMatchObject({ status: 302 });
    const conwyBefore = (await findReturn(db(), conwy))?.lock_version ?? 0;
    const saved = await saveReturn(db(), conwy, {
      basedOn: conwyBefore,
      raw: parentsReturn(
        {
          leavers: 5,
          parents: 1,
          mothers: 1,
          home: 1,
          removed: 0,
        },
        { explained: true },
      ),
      actor: SYSTEM_ACTOR,
    });
    expect(saved, "a save into the closed round").toMatchObject({
      ok: false,
      reason: "collectionNotOpen",
    });
    const current = await findReturn(db(), cardiff);
    if (current && current.status !== "draft") {
      const amended = await amendReturn(db(), cardiff, {
        basedOn: current.lock_version,
        reason: "Late change",
        actor: SYSTEM_ACTOR,
      });
      expect(amended, "an amendment in the closed round").toMatchObject({
        ok: false,
        reason: "collectionNotOpen",
      });
    }
    const submitted = await submitReturn(db(), conwy, {
      basedOn: conwyBefore,
      signedOffName: "C. Officer",
      signedOffRole: "Analyst",
      actor: SYSTEM_ACTOR,
      today: new Date().toISOString().slice(0, 10),
    });
    expect(submitted, "a submission into the closed round").toMatchObject({
      ok: false,
      reason: "collectionNotOpen",
    });
  });
});
