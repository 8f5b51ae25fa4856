/**
 * A database of its own with the application's PostgreSQL role applied as the operations guide
 * says (docs/sql/app-role.sql), and a connection as that role: for the tests of what the role may
 * and may not do. PostgreSQL only.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { databaseUrl } from "./engine.ts";

export const run$ = promisify(execFile);

/** `times` applies the script more than once, to show that running it again changes nothing. */
export function useAppRoleDatabase({ times = 1 } = {}) {
  let test: TestDatabase | undefined;
  let appUrl = "";
  let app: pg.Client | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
    const ownerUrl = test.env.DATABASE_URL!;
    for (let i = 0; i < times; i++) await run$("psql", ["-v", "ON_ERROR_STOP=1", "-q", "-d", ownerUrl, "-f", "docs/sql/app-role.sql"]);
    await sql`alter role portal_app password 'portal-app-test-password'`.execute(test.db);
    const url = new URL(databaseUrl(process.env.TEST_DATABASE_URL!, new URL(ownerUrl).pathname.slice(1)));
    url.username = "portal_app";
    url.password = "portal-app-test-password";
    appUrl = url.toString();
    app = new pg.Client({ connectionString: appUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await test?.destroy();
  });
  return {
    /** The database as its owner (the migrations' role) sees it. */
    owner: () => test!.db,
    /** The connection string of the application's role. */
    appUrl: () => appUrl,
    /** A connection as the application's role. */
    app: () => app!,
  };
}
