/**
 * The "nothing changed" check of the tests (snapshot) sees every kind of write to
 * any table: an insert, a delete, an update, even one that writes back what was there, and a row in
 * a table made after the suite started; and it ignores only what changes by design.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { recordAudit } from "#app/models/audit.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { snapshot } from "../support/requests.ts";

describe("snapshot", () => {
  const db = useDemoDatabase();

  it("changes with every insert, update and delete, in any table", async () => {
    const writes = [
      sql`insert into region (code, name_en, name_cy) values ('test-region', 'Test', 'Prawf')`,
      sql`update region set name_en = name_en where code = 'test-region'`,
      sql`update app_user set language = language where id = (select min(id) from app_user)`,
      sql`delete from region where code = 'test-region'`,
    ];
    for (const write of writes) {
      const before = await snapshot(db());
      const { numAffectedRows } = await write.execute(db());
      const after = await snapshot(db());
      expect(numAffectedRows, write.compile(db()).sql).toBe(1n);
      expect(after, write.compile(db()).sql).not.toBe(before);
    }
  });

  it("ignores the audit rows it is told to, and sessions, and not the others", async () => {
    const user = await db().selectFrom("app_user").select("id").orderBy("id").executeTakeFirstOrThrow();
    const audit = (action: string) => recordAudit(db(), { actorUserId: user.id, action, entity: "user", entityKey: user.id });
    const except = { auditExcept: ["session.sign_in_failed"] };
    let before = await snapshot(db(), except);
    await audit("session.sign_in_failed");
    expect(await snapshot(db(), except)).toBe(before);
    await audit("account.language");
    expect(await snapshot(db(), except)).not.toBe(before);

    before = await snapshot(db());
    await sql`update session set last_used_at = now()`.execute(db());
    expect(await snapshot(db())).toBe(before);
  });
});
