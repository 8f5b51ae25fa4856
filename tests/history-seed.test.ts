/**
 * The benchmark's history (seeds/history.ts) is shaped like a real service's, and stays loadable
 * as the schema changes: three officers per authority who can sign in, amendments left in draft
 * and returns never submitted in old rounds, query threads with replies, and text of real length.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "#app/auth/password.server.ts";
import { DEMO_PASSWORD } from "#seeds/demo.ts";
import { OFFICERS_PER_AUTHORITY, seedHistory } from "#seeds/history.ts";
import { useDemoDatabase } from "./support/database.ts";

describe("the benchmark's history", () => {
  const db = useDemoDatabase();

  it("has several officers per authority, drafts in old rounds, query threads and realistic text", async () => {
    await seedHistory(db(), { rounds: 4 });
    const officers = await db().selectFrom("app_user").select(["authority_code", "password_hash"]).where("role", "=", "officer").execute();
    const perAuthority = new Map<string, number>();
    for (const o of officers) perAuthority.set(o.authority_code!, (perAuthority.get(o.authority_code!) ?? 0) + 1);
    expect(perAuthority.size).toBe(22);
    expect([...perAuthority.values()].every((n) => n === OFFICERS_PER_AUTHORITY)).toBe(true);
    expect(await verifyPassword(officers.at(-1)!.password_hash!, DEMO_PASSWORD)).toBe(true);

    const { rows: returns } = await sql<{ status: string; submitted: boolean; n: number }>`
      select r.status, r.submitted_version is not null as submitted, count(*)::int as n
      from return r join collection c on c.id = r.collection_id where c.code like 'history-%'
      group by 1, 2`.execute(db());
    const count = (status: string, submitted: boolean) => returns.find((r) => r.status === status && r.submitted === submitted)?.n ?? 0;
    expect(count("draft", true), "amendments left in draft").toBeGreaterThan(0);
    expect(count("draft", false), "returns never submitted").toBeGreaterThan(0);
    expect(count("accepted", true) + count("submitted", true)).toBeGreaterThan(60);

    const { rows: threads } = await sql<{ messages: number; replies: number }>`
      select count(m.id)::int as messages, count(m.id) filter (where u.role = 'officer')::int as replies
      from value_query q join value_query_message m on m.query_id = q.id join app_user u on u.id = m.author_id
      group by q.id`.execute(db());
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every((t) => t.messages >= 2 && t.replies >= 1)).toBe(true);

    const { rows: lengths } = await sql<{ reason: number; caveat: number }>`
      select max(length(reason))::int as reason, max(length(caveat))::int as caveat from return_version_value`.execute(db());
    expect(lengths[0]!.reason).toBeGreaterThan(120);
    expect(lengths[0]!.caveat).toBeGreaterThan(120);
  });
});
