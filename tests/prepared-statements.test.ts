/**
 * Named prepared statements on PostgreSQL (db/connect.ts): each distinct query is planned once per
 * connection and reused; DDL, transaction control and `*` queries stay unnamed; a plan made stale
 * by a schema change is prepared again rather than failing for good. The queries every page of a
 * collection or of a return runs first name their columns, so that they are prepared.
 */
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "#db/types.ts";
import { getCollection, getCollectionAndAuthority } from "#app/models/collection.server.ts";
import { findReturn } from "#app/models/return.server.ts";
import { DECEMBER_2026 } from "#seeds/demo.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { postgresFor } from "./support/engine.ts";

/** This test's own tables. */
interface Tables {
  prepared_plain: { id: number };
  prepared_stale: { id: number; v: number | string };
}

interface Prepared {
  statement: string;
  executions: number;
}

async function prepared(db: Kysely<Database>): Promise<Prepared[]> {
  const { rows } = await sql<Prepared>`
    select statement, (generic_plans + custom_plans)::int as executions from pg_prepared_statements`.execute(db);
  return rows;
}

// Prepared statements are pg's: PGlite has no pool to prepare on. Skipped only on a developer's
// machine without PostgreSQL; in CI the engine check fails instead.
describe.skipIf(!postgresFor("the prepared statements' tests"))("named prepared statements on PostgreSQL", () => {
  let test: TestDatabase;
  let tables: Kysely<Tables>;
  beforeAll(async () => {
    test = await createTestDatabase({ empty: true });
    tables = test.db as unknown as Kysely<Tables>;
  });
  afterAll(() => test?.destroy());

  it("prepares each distinct query once per connection and reuses it", async () => {
    await test.db.connection().execute(async (connection) => {
      const query = (code: string) => connection.selectNoFrom(sql<string>`${code}::text`.as("code"));
      const compiled = query("a").compile().sql;
      for (const code of ["a", "b", "c"]) await query(code).execute();
      const mine = (await prepared(connection)).filter((p) => p.statement === compiled);
      expect(mine).toEqual([{ statement: compiled, executions: 3 }]);
    });
  });

  it("leaves DDL, transaction control and queries of * unnamed", async () => {
    await test.db.connection().execute(async (connection) => {
      const own = connection as unknown as Kysely<Tables>;
      await own.schema.createTable("prepared_plain").addColumn("id", "integer").execute();
      await own.insertInto("prepared_plain").values({ id: 1 }).execute();
      await own.transaction().execute(async (trx) => {
        await trx.selectFrom("prepared_plain").selectAll().where("id", "=", 1).execute();
      });
      const statements = (await prepared(connection)).map((p) => p.statement);
      expect(statements.some((s) => /create table|select \*|^begin|^commit/i.test(s))).toBe(false);
      expect(statements).toContain('insert into "prepared_plain" ("id") values ($1)');
    });
  });

  it("prepares the queries every page of a collection or of a return runs first", async () => {
    const demo = await createTestDatabase();
    try {
      await demo.db.connection().execute(async (connection) => {
        const found = await getCollectionAndAuthority(connection, DECEMBER_2026, "W06000015");
        await getCollection(connection, DECEMBER_2026);
        await findReturn(connection, { collection: found!.collection, authorityCode: "W06000015" });
        const statements = (await prepared(connection)).map((p) => p.statement);
        expect(statements.filter((s) => /from "(collection|return)" where/.test(s))).toHaveLength(3);
      });
    } finally {
      await demo.destroy();
    }
  });

  it("prepares a statement again when a schema change made its plan stale", async () => {
    await tables.schema.createTable("prepared_stale").addColumn("id", "integer").addColumn("v", "integer").execute();
    await tables.insertInto("prepared_stale").values({ id: 1, v: 7 }).execute();
    await test.db.connection().execute(async (connection) => {
      const db = connection as unknown as Kysely<Tables>;
      const readWith = (reader: Kysely<Tables>) =>
        reader.selectFrom("prepared_stale").select("v").where("id", "=", 1).executeTakeFirstOrThrow();
      const read = () => readWith(db);
      expect(await read()).toEqual({ v: 7 });
      await sql`alter table prepared_stale alter column v type text using v::text`.execute(db);
      // Outside a transaction the stale statement is prepared again at once.
      expect(await read()).toEqual({ v: "7" });

      await sql`alter table prepared_stale alter column v type bigint using v::bigint`.execute(db);
      // Inside one, PostgreSQL refuses the rest of the transaction after the error: that transaction
      // fails, and the next use prepares the statement again.
      await expect(db.transaction().execute((trx) => readWith(trx))).rejects.toThrow(/cached plan must not change result type/);
      expect(await read()).toEqual({ v: 7 });
    });
  });
});
