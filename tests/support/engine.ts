/**
 * Which database the suite runs on: PostgreSQL when TEST_DATABASE_URL is set, otherwise PGlite.
 * In CI a missing PostgreSQL is a failure, never a silent fall-back.
 */
export type TestEngine = { kind: "postgres"; adminUrl: string } | { kind: "pglite" };

export function testEngine(): TestEngine {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { kind: "postgres", adminUrl: url };
  if (process.env.CI) {
    throw new Error("CI is set but TEST_DATABASE_URL is not: the suite must run against PostgreSQL in CI.");
  }
  return { kind: "pglite" };
}

/**
 * The PostgreSQL server (TEST_DATABASE_URL, always set in CI) for `what`, tests that run only on
 * PostgreSQL. On a developer's machine without it they are skipped, and said so; in CI its absence
 * fails the run.
 */
export function postgresFor(what: string): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.CI) throw new Error(`CI is set but TEST_DATABASE_URL is not: ${what} run on PostgreSQL in CI.`);
  console.warn(`Skipping ${what}: they need PostgreSQL (set TEST_DATABASE_URL, as CI does).`);
  return undefined;
}

export function databaseUrl(adminUrl: string, name: string) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
