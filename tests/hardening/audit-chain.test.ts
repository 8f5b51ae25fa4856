/**
 * The audit log's time, actor and hash chain are the database's (issue 12, item 7). Before, the
 * portal's own role could insert a row with any actor and a back-dated time, and nothing showed a
 * row changed or removed by someone able to switch the append-only triggers off. Now `at` is the
 * moment of writing, the actor is the one the transaction declared (another is refused), each row
 * is sealed at commit with the SHA-256 of its content and of the seal before, and
 * `npm run audit:verify` finds the first broken link. On either engine; the application role's
 * part on PostgreSQL.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { recordAudit, verifyAuditChain } from "#app/models/audit.server.ts";
import { useAppRoleDatabase, run$ } from "../support/app-role.ts";
import { useDemoDatabase } from "../support/database.ts";
import { postgresFor } from "../support/engine.ts";

const postgres = postgresFor("the application role's audit-chain tests");

/** `npm run audit:verify` on a database, as an operator runs it: its exit code and what it says. */
async function auditVerify(databaseUrl: string) {
  try {
    const { stdout } = await run$("npx", ["tsx", "scripts/audit-verify.ts"], { env: { ...process.env, DATABASE_URL: databaseUrl } });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout.trim() };
  }
}

describe("the audit log's time, actor and chain, set by the database", () => {
  const db = useDemoDatabase();

  it("stamps each row with the moment it is written, whatever the insert says", async () => {
    const [row] = await db()
      .insertInto("audit_log")
      .values({ action: "test.backdated", entity: "test", entity_key: "1", at: new Date("2001-01-01T00:00:00Z") })
      .returning("at")
      .execute();
    const { now } = (await sql<{ now: Date }>`select now() as now`.execute(db())).rows[0]!;
    expect(Math.abs(new Date(row!.at).getTime() - new Date(now).getTime())).toBeLessThan(60_000);
  });

  it("takes the actor from the transaction's declaration, and refuses an insert naming another", async () => {
    const { id: officer } = await db()
      .selectFrom("app_user")
      .select("id")
      .where("email", "=", "officer.cardiff@authorities.example")
      .executeTakeFirstOrThrow();
    await recordAudit(db(), { actorUserId: officer, action: "test.declared", entity: "test", entityKey: 1 });
    const declared = await db()
      .selectFrom("audit_log")
      .select("actor_user_id")
      .where("action", "=", "test.declared")
      .executeTakeFirstOrThrow();
    expect(declared.actor_user_id).toBe(officer);
    const forged = (declare: string | null) =>
      db()
        .transaction()
        .execute(async (trx) => {
          if (declare !== null) await sql`select set_config('portal.actor_user_id', ${declare}, true)`.execute(trx);
          await trx
            .insertInto("audit_log")
            .values({ action: "test.forged", entity: "test", entity_key: "1", actor_user_id: officer })
            .execute();
        })
        .then(
          () => "written",
          (error: { code?: string }) => error.code,
        );
    expect(await forged(String(officer + 1)), "another actor than the one declared").toBe("42501");
    expect(await forged(null), "an actor with none declared").toBe("42501");
    expect(await db().selectFrom("audit_log").select("id").where("action", "=", "test.forged").execute()).toEqual([]);
  });

  it("chains every row, the demo data's and each new one, in the order they were committed", async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => recordAudit(db(), { actorUserId: null, action: "test.parallel", entity: "test", entityKey: i })),
    );
    const rows = Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(db())).rows[0]!.n);
    const report = await verifyAuditChain(db(), 7);
    expect(report).toMatchObject({ ok: true, rows, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    console.log(`audit chain: ${rows} rows verified`);
  });

  it("finds a row changed, removed or slipped in with the triggers off, at that row", async () => {
    const victim = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "value.change")
      .orderBy("id")
      .offset(3)
      .limit(1)
      .executeTakeFirstOrThrow();
    const tamper = (statement: ReturnType<typeof sql>) =>
      db()
        .transaction()
        .execute(async (trx) => {
          await sql`alter table audit_log disable trigger user`.execute(trx);
          await statement.execute(trx);
          await sql`alter table audit_log enable trigger user`.execute(trx);
        });

    // A copy of the row as it was, to put it back between the cases.
    await sql`create table tamper_copy as select * from audit_log where id = ${sql.lit(Number(victim.id))}`.execute(db());
    await tamper(sql`update audit_log set after = '{"number": 9999}' where id = ${victim.id}`);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: false, brokenAt: Number(victim.id), why: "changed" });
    await tamper(sql`update audit_log a set after = c.after from tamper_copy c where a.id = c.id`);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });

    await tamper(sql`delete from audit_log where id = ${victim.id}`);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: false, brokenAt: Number(victim.id), why: "missing" });
    await tamper(sql`insert into audit_log select * from tamper_copy`);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });

    await tamper(
      sql`insert into audit_log (id, action, entity, entity_key) values (${Number(victim.id) + 100_000}, 'test.slipped_in', 'test', '1')`,
    );
    expect(await verifyAuditChain(db())).toMatchObject({ ok: false, brokenAt: Number(victim.id) + 100_000, why: "unsealed" });
  });
});

describe.skipIf(!postgres)("the application's role and the chain, and npm run audit:verify, on PostgreSQL", () => {
  const role = useAppRoleDatabase();

  it("gives portal_app's back-dated insert the time of writing, refuses its forged actor, and keeps the seals out of its reach", async () => {
    const { rows } = await role
      .app()
      .query<{ at: Date }>(
        "insert into audit_log (at, action, entity, entity_key) values ('2001-01-01', 'test.backdated', 'test', '1') returning at",
      );
    expect(Date.now() - rows[0]!.at.getTime()).toBeLessThan(60_000);
    await role.app().query("begin");
    await role.app().query("select set_config('portal.actor_user_id', '1', true)");
    const forged = await role
      .app()
      .query("insert into audit_log (actor_user_id, action, entity, entity_key) values (2, 'test.forged', 'test', '1')")
      .then(
        () => null,
        (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
      );
    await role.app().query("rollback");
    expect(forged).toMatchObject({ code: "42501", message: expect.stringContaining("not the one this transaction declared") });
    for (const statement of [
      "insert into audit_seal (audit_id, hash) values (1, 'x')",
      "update audit_seal set hash = 'x'",
      "delete from audit_seal",
      "alter table audit_log disable trigger audit_log_seal",
    ]) {
      expect(
        await role
          .app()
          .query(statement)
          .then(
            () => "done",
            (error: { message: string }) => error.message,
          ),
        statement,
      ).toMatch(/permission denied|must be owner/);
    }
  });

  it("says OK with the row count, then the row an owner changed with the triggers off, exiting 1", async () => {
    const rows = (await role.app().query<{ n: number }>("select count(*)::int as n from audit_log")).rows[0]!.n;
    const ok = await auditVerify(role.appUrl());
    expect(ok).toMatchObject({
      code: 0,
      out: expect.stringMatching(new RegExp(`^audit log: OK, ${rows} rows chained; last hash [0-9a-f]{64}$`)),
    });
    const { id } = await role
      .owner()
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "account.create")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    await role
      .owner()
      .transaction()
      .execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`update audit_log set reason = 'Nothing to see' where id = ${id}`.execute(trx);
      });
    const broken = await auditVerify(role.appUrl());
    expect(broken).toMatchObject({ code: 1, out: expect.stringContaining(`BROKEN at row ${id}: its content is not what was sealed`) });
    console.log(`audit:verify: "${ok.out}", then "${broken.out}"`);
  }, 60_000);
});
