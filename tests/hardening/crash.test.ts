/**
 * Crash: the real server (production build, its own database), a stream of saves, submissions and
 * amendments over HTTP, and the server killed with SIGKILL in the middle of it; then restarted on
 * the same database. Every return must be in one of the states its officer saved: every confirmed
 * change kept, an unconfirmed one either wholly there or wholly absent, no value without its audit
 * row, the lock version counting exactly the changes that committed. Three crashes per engine, on
 * PGlite (always) and on PostgreSQL (when TEST_DATABASE_URL is set, as it always is in CI).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { postgresFor } from "../support/engine.ts";
import { expectEveryValueAudited, pgliteDemoFolder } from "../support/hardening.ts";
import { HttpVisitor } from "../support/http.ts";
import { spawnPortal, type PortalProcess } from "../support/portal.ts";
import { workOfTest } from "../support/test-work.ts";
import { ITEM, OPEN_ROUND, formAnswers } from "./fixtures.ts";

const RUNS = 3;
const AUTHORITIES = ["isle-of-anglesey", "gwynedd", "conwy", "cardiff", "newport", "swansea", "powys", "wrexham"];
const PASSWORD = "demo-password-2023";

const postgres = postgresFor("the crash tests on PostgreSQL (those on PGlite run)");
const engines = ["pglite", ...(postgres ? ["postgres"] : [])] as const;

interface Op {
  kind: "save" | "submit" | "amend";
  number?: number;
  /** confirmed: the server answered that it was done; unknown: the answer never came (the crash). */
  state: "confirmed" | "unknown";
}

/** One officer's browser, and what it was told of each change it sent. */
class Officer extends HttpVisitor {
  ops: Op[] = [];
  authorityCode = "";
  constructor(
    readonly email: string,
    server: () => string,
  ) {
    super(server);
  }

  /** Signs in through the sign-in page, and finds the officer's authority on the home page. */
  async signInAsOfficer() {
    const response = await this.signIn(this.email, PASSWORD);
    if (response.status !== 302) throw new Error(`sign in as ${this.email}: ${response.status}`);
    const html = await (await this.fetch("/")).text();
    this.authorityCode = html.match(/\/returns\/[^/]+\/(W06\d{6})/)?.[1] ?? this.authorityCode;
  }
}

const returnPath = (authority: string, page = "") => `/returns/${OPEN_ROUND}/${authority}${page ? `/${page}` : ""}`;
const explained = (number: string) => ({ state: "reported", number, queryExplanation: "Checked with the team." });

/** Saves, submits and amends, one after the other, until the server goes away. */
async function drive(officer: Officer, counter: { next: number }, stop: { now: boolean }) {
  const here = returnPath(officer.authorityCode);
  let step = 0;
  while (!stop.now) {
    step++;
    let op: Op | null = null;
    try {
      const form = await officer.page(here);
      if (form.lockVersion === null) {
        // The return is submitted: amend it, to go on saving.
        const amendPage = await officer.page(returnPath(officer.authorityCode, "amend"));
        op = { kind: "amend", state: "unknown" };
        officer.ops.push(op);
        const response = await officer.post(returnPath(officer.authorityCode, "amend"), {
          csrf: amendPage.csrf,
          lockVersion: String(amendPage.lockVersion),
          reason: `Amendment ${step}`,
        });
        if (response.status !== 302 || response.headers.get("Location") !== here) throw new Error(`amend: ${response.status}`);
        op.state = "confirmed";
        continue;
      }
      if (step % 5 === 0) {
        const checkPage = await officer.page(returnPath(officer.authorityCode, "check"));
        op = { kind: "submit", state: "unknown" };
        officer.ops.push(op);
        const response = await officer.post(returnPath(officer.authorityCode, "check"), {
          csrf: checkPage.csrf,
          lockVersion: String(checkPage.lockVersion),
          signedOffName: "An Officer",
          signedOffRole: "Head of Service",
        });
        if (response.status !== 302 || !response.headers.get("Location")?.includes("/submitted?version=")) {
          throw new Error(`submit: ${response.status} ${response.headers.get("Location")}`);
        }
        op.state = "confirmed";
        continue;
      }
      const number = counter.next++;
      op = { kind: "save", number, state: "unknown" };
      officer.ops.push(op);
      const fields = formAnswers(
        {
          [ITEM]: explained(String(number)),
          care_experienced_parents: explained("10"),
          care_experienced_mothers: explained("7"),
          care_experienced_fathers: explained("3"),
          care_experienced_parents_child_removed: explained("2"),
        },
        form.lockVersion,
      );
      const response = await officer.post(here, { csrf: form.csrf, ...fields });
      if (response.status !== 302 || response.headers.get("Location") !== `${here}?saved=1`) throw new Error(`save: ${response.status}`);
      op.state = "confirmed";
    } catch (error) {
      // The server went away: whatever was in flight stays "unknown". Anything else is a failure.
      if (stop.now || isConnectionError(error)) return;
      throw error;
    }
  }
}

function isConnectionError(error: unknown) {
  const cause = (error as { cause?: { code?: string } }).cause;
  return error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(`${error.message} ${cause?.code ?? ""}`);
}

/** Checks every driven return against what its officer was told. */
async function expectConsistent(db: Kysely<Database>, officers: Officer[]) {
  const collection = await db.selectFrom("collection").select("id").where("code", "=", OPEN_ROUND).executeTakeFirstOrThrow();
  const items = await db.selectFrom("collection_item").select("item_code").where("collection_id", "=", collection.id).execute();
  for (const officer of officers) {
    const who = `${officer.authorityCode}`;
    const ret = await db
      .selectFrom("return")
      .selectAll()
      .where("collection_id", "=", collection.id)
      .where("authority_code", "=", officer.authorityCode)
      .executeTakeFirst();
    if (!ret) {
      // The crash came before this officer's first save reached the database: consistent only if
      // the server had confirmed nothing to them.
      expect(
        officer.ops.filter((o) => o.state === "confirmed"),
        `${who}: confirmed changes, but no return`,
      ).toEqual([]);
      continue;
    }
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "entity_key", "after"])
      .where("authority_code", "=", officer.authorityCode)
      .where((eb) =>
        eb.or([eb("entity_key", "=", `${ret.id}:${ITEM}`), eb.and([eb("entity", "=", "return"), eb("entity_key", "=", String(ret.id))])]),
      )
      .orderBy("id")
      .execute();
    const auditedSaves = audit.filter((a) => a.action === "value.change").map((a) => (a.after as { number: number }).number);
    // The saves that committed, in order: every confirmed one, and an unconfirmed one only if it is wholly there.
    const attempted = officer.ops.filter((o) => o.kind === "save");
    const committedSaves = attempted.filter((o) => auditedSaves.includes(o.number!));
    expect(auditedSaves, `${who}: the audited saves are the committed ones, in order`).toEqual(committedSaves.map((o) => o.number));
    for (const op of attempted.filter((o) => o.state === "confirmed")) {
      expect(auditedSaves, `${who}: confirmed save ${op.number} kept`).toContain(op.number);
    }
    const submits = audit.filter((a) => a.action === "return.submit").length;
    const amends = audit.filter((a) => a.action === "return.amend").length;
    const confirmed = (kind: Op["kind"]) => officer.ops.filter((o) => o.kind === kind && o.state === "confirmed").length;
    const unknown = (kind: Op["kind"]) => officer.ops.filter((o) => o.kind === kind && o.state === "unknown").length;
    expect(submits, `${who}: submissions`).toBeGreaterThanOrEqual(confirmed("submit"));
    expect(submits).toBeLessThanOrEqual(confirmed("submit") + unknown("submit"));
    expect(amends, `${who}: amendments`).toBeGreaterThanOrEqual(confirmed("amend"));
    expect(amends).toBeLessThanOrEqual(confirmed("amend") + unknown("amend"));
    // The first save made the return (lock version 1); each later change that committed bumped it once.
    expect(ret.lock_version, `${who}: the lock version counts the committed changes`).toBe(committedSaves.length + submits + amends);
    // Submitted versions: one per audited submission, each a whole copy of the return.
    const versions = await db
      .selectFrom("return_version as rv")
      .leftJoin("return_version_value as v", (join) => join.onRef("v.return_id", "=", "rv.return_id").onRef("v.version", "=", "rv.version"))
      .select(["rv.version", (eb) => eb.fn.count<number>("v.item_code").as("values")])
      .where("rv.return_id", "=", ret.id)
      .groupBy("rv.version")
      .orderBy("rv.version")
      .execute();
    expect(
      versions.map((v) => v.version),
      `${who}: versions`,
    ).toEqual(Array.from({ length: submits }, (_, i) => i + 1));
    for (const version of versions) expect(Number(version.values), `${who}: version ${version.version} is whole`).toBe(7);
    expect(ret.submitted_version ?? 0).toBe(submits);
    expect(ret.status, `${who}: status`).toBe(submits > amends ? "submitted" : "draft");
    const value = await db
      .selectFrom("value")
      .select("number")
      .where("return_id", "=", ret.id)
      .where("item_code", "=", ITEM)
      .executeTakeFirst();
    expect(value?.number, `${who}: the value is the last committed save's`).toBe(committedSaves.at(-1)?.number);
    expect(items.length).toBeGreaterThan(0);
  }
  await expectEveryValueAudited(db);
}

const confirmedSoFar = (officers: Officer[]) => officers.flatMap((o) => o.ops).filter((o) => o.state === "confirmed").length;

/** Resolves once the officers' streams have had `target` changes confirmed in all, or they were stopped. */
async function confirmations(officers: Officer[], target: number, stop: { now: boolean }) {
  while (confirmedSoFar(officers) < target && !stop.now) await new Promise((resolve) => setTimeout(resolve, 10));
}

for (const engine of engines) {
  describe(`a crash mid-stream, ${RUNS} times, on ${engine}`, () => {
    let folder: string;
    let env: Record<string, string>;
    let database: TestDatabase | null = null;
    let server: PortalProcess | null = null;
    let port = 0;
    const crashes: string[] = [];

    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), "portal-crash-"));
      if (engine === "postgres") {
        database = await createTestDatabase();
        env = database.env;
      } else {
        env = { PGLITE_DATA_DIR: await pgliteDemoFolder(folder) };
      }
      server = await spawnPortal(env);
      port = Number(new URL(server.url).port);
    });

    afterAll(async () => {
      await server?.kill("SIGTERM");
      await database?.destroy();
      rmSync(folder, { recursive: true, force: true });
      console.log(`crash (${engine}): ${crashes.length} crash runs: ${crashes.join("; ")}`);
    });

    /** The database, to check: PostgreSQL beside the running server; PGlite (one process only) with the server stopped cleanly. */
    async function withDatabase(check: (db: Kysely<Database>) => Promise<void>) {
      if (database) return check(database.db);
      await server!.kill("SIGTERM");
      server = null;
      const db = createDatabase({ kind: "pglite", dataDir: env.PGLITE_DATA_DIR! });
      try {
        await check(db);
      } finally {
        await db.destroy();
      }
      server = await spawnPortal(env, { port });
    }

    it("keeps every return in a state its officer saved, through SIGKILL and restart", async (context) => {
      const work = workOfTest(context);
      const url = () => server!.url;
      const officers = AUTHORITIES.map((name) => new Officer(`officer.${name}@authorities.example`, url));
      for (const officer of officers) await officer.signInAsOfficer();
      expect(officers.every((o) => /^W06\d{6}$/.test(o.authorityCode))).toBe(true);
      const counter = { next: 1000 };
      for (let run = 1; run <= RUNS; run++) {
        const unconfirmedBefore = officers.flatMap((o) => o.ops).filter((o) => o.state === "unknown").length;
        const stop = { now: false };
        work.signal.throwIfAborted();
        work.signal.addEventListener("abort", () => (stop.now = true), { once: true });
        const streams = officers.map((officer) => work.track(drive(officer, counter, stop)));
        // Kill the server mid-stream once it has confirmed a number of changes, a different number each
        // run: by progress, not after a sleep, so a loaded machine cannot make a run do no work.
        // A stream that fails (an unexpected answer) fails the test here rather than leaving it waiting.
        const streamsEnded = Promise.all(streams);
        await Promise.race([confirmations(officers, confirmedSoFar(officers) + AUTHORITIES.length + run * 3, stop), streamsEnded]);
        const signal = await server!.kill("SIGKILL");
        stop.now = true;
        await streamsEnded;
        expect(signal).toBe("SIGKILL");
        const unconfirmed = officers.flatMap((o) => o.ops).filter((o) => o.state === "unknown").length;
        // Restart on the same database: it must open (PGlite: the folder a SIGKILL left behind) and serve.
        server = await spawnPortal(env, { port });
        const total = officers.flatMap((o) => o.ops).length;
        crashes.push(`run ${run}: ${total} changes sent so far, ${unconfirmed - unconfirmedBefore} cut off by the crash`);
        // Each officer's session survived the crash; the page shows the lock version the database holds.
        for (const officer of officers) {
          const page = await officer.fetch(returnPath(officer.authorityCode));
          expect(page.status, `${officer.email} after restart ${run}`).toBe(200);
          await page.text();
        }
        await withDatabase((db) => expectConsistent(db, officers));
      }
      expect(confirmedSoFar(officers), "the stream did real work before each crash").toBeGreaterThan(RUNS * AUTHORITIES.length);
    }, 300_000);
  });
}
