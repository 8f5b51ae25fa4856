/**
 * Helpers for the hardening suites (tests/hardening/): the route manifest of the production build,
 * an in-process request handler that renders whole pages, and the check that every value change has its audit row.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { sql, type Kysely } from "kysely";
import { beforeAll, expect, inject } from "vitest";
import { createDatabase } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import type { Database } from "#db/types.ts";
import { seedDemoData } from "#seeds/demo.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { createSession, hashToken } from "#app/models/session.server.ts";
import { sessionCookieHeader } from "#app/auth/auth.server.ts";
import { createApiToken } from "#app/models/api-token.server.ts";
import * as login from "#app/routes/login.tsx";
import { createTestDatabase } from "./database.ts";
import { get, type Visitor } from "./requests.ts";

const BUILD = join(process.cwd(), "build", "index.js");

/**
 * The Remix server build that `npm test` makes first: its `routes` export is the route manifest.
 * Fails with a clear message when there is no build, or when app/routes holds a route module the
 * build does not (a stale build would hide a new route from the access matrix).
 */
export async function serverBuild(): Promise<ServerBuild> {
  if (!existsSync(BUILD)) {
    throw new Error("No server build at build/index.js: run `npm run build` first (`npm test` does it for you).");
  }
  const build = (await import(/* @vite-ignore */ BUILD)) as ServerBuild;
  const built = new Set(Object.keys(build.routes));
  const missing = routeFiles().filter((id) => !built.has(id));
  if (missing.length > 0) {
    throw new Error(`The build in build/ is older than app/routes (missing ${missing.join(", ")}): run \`npm run build\`.`);
  }
  return build;
}

/** Route ids as the classic compiler names them: `routes/<file name without its extension>`. */
export function routeFiles() {
  return readdirSync(join(process.cwd(), "app", "routes"))
    .filter((file) => /\.(tsx?|jsx?)$/.test(file) && !file.startsWith(".") && !/\.test\./.test(file))
    .map((file) => `routes/${file.replace(/\.(tsx?|jsx?)$/, "")}`);
}

/** Fills a manifest path ("returns/:collectionCode/:authorityCode") with the given params. */
export function fillPath(pattern: string | undefined, params: Record<string, string>) {
  const filled = (pattern ?? "").replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${pattern}`);
    return encodeURIComponent(value);
  });
  return `/${filled}`;
}

/**
 * The build's request handler, in this process, on the database the test installed: a whole
 * page, rendered as the server renders it, for any Request (document or data).
 */
export function inProcessPortal(build: ServerBuild) {
  const handler = createRequestHandler(build, "production");
  return (request: Request, clientAddress = "192.0.2.44") => handler(request, { cspNonce: "test-nonce", clientAddress });
}

/**
 * For a test file: the server build (`build.routes`: its route modules) and its request handler in
 * this process (`page`), both ready before the file's tests and its own `beforeAll`.
 */
export function useInProcessPortal() {
  const portal = {} as { build: ServerBuild; page: ReturnType<typeof inProcessPortal> };
  beforeAll(async () => {
    portal.build = await serverBuild();
    portal.page = inProcessPortal(portal.build);
  });
  return portal;
}

/** A signed-in visitor for a user id (a new session, as signing in makes one). */
export async function visitorFor(db: Kysely<Database>, userId: number): Promise<Visitor> {
  const token = await createSession(db, userId);
  // By the token's own session: two sessions opened in the same millisecond must not be confused.
  const session = await db.selectFrom("session").select("csrf_token").where("id", "=", hashToken(token)).executeTakeFirstOrThrow();
  const cookie = (await sessionCookieHeader(token)).split(";")[0]!;
  return { userId, cookie, csrf: session.csrf_token };
}

const tokens = new WeakMap<Kysely<Database>, Map<number, string>>();

/**
 * A signed-in visitor who also holds an API token of their own (made once per user and database,
 * as the token page makes it): an officer's fills in their authority's returns, anyone else's
 * reads figures.
 */
export async function visitorWithToken(db: Kysely<Database>, userId: number): Promise<Visitor> {
  const visitor = await visitorFor(db, userId);
  const made = tokens.get(db) ?? new Map<number, string>();
  tokens.set(db, made);
  let token = made.get(userId);
  if (!token) {
    const user = await db
      .selectFrom("app_user")
      .select(["id", "role", "is_admin as isAdmin", "authority_code as authorityCode"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    const created = await createApiToken(db, user, { name: "Hardening probe", lifetime: "30", ownerId: null });
    if (!created.ok) throw new Error(`no API token for user ${userId}`);
    token = created.token;
    made.set(userId, token);
  }
  return { ...visitor, apiToken: token };
}

/** The sign-in form's double-submit CSRF pair, as the sign-in page hands it to a browser. */
export async function anonymousCsrfPair() {
  const page = (await login.loader({ request: get("/login"), params: {}, context: {} } as never)) as unknown as {
    data: { csrf: string };
    init: { headers: Record<string, string> };
  };
  return { token: page.data.csrf, cookie: page.init.headers["Set-Cookie"]!.split(";")[0]! };
}

const VALUE_FIELDS = [
  "state",
  "number",
  "reason",
  "age_from",
  "age_to",
  "reference_date_used",
  "counting_note",
  "caveat",
  "query_explanation",
] as const;

type AuditedValue = Record<(typeof VALUE_FIELDS)[number], unknown> | null;

function auditedValue(row: Record<string, unknown> | null): AuditedValue {
  if (!row) return null;
  return Object.fromEntries(VALUE_FIELDS.map((f) => [f, row[f] ?? null])) as AuditedValue;
}

/**
 * Every value in the working copy is the last audited state of its (return, item), every audit
 * chain is unbroken (each change starts from where the previous one ended), and a (return, item)
 * whose last audited state is blank has no value row. Returns how many value rows and audit rows
 * it compared. A value written or removed without its audit row fails here.
 */
export async function expectEveryValueAudited(db: Kysely<Database>) {
  const values = await db.selectFrom("value").selectAll().execute();
  const audit = await db
    .selectFrom("audit_log")
    .select(["id", "entity_key", "before", "after"])
    .where("action", "=", "value.change")
    .orderBy("id")
    .execute();
  const chains = new Map<string, { before: AuditedValue; after: AuditedValue; id: number }[]>();
  for (const row of audit) {
    const chain = chains.get(row.entity_key) ?? [];
    chain.push({ id: Number(row.id), before: auditedValue(row.before as never), after: auditedValue(row.after as never) });
    chains.set(row.entity_key, chain);
  }
  const problems: string[] = [];
  const current = new Map(values.map((v) => [`${v.return_id}:${v.item_code}`, auditedValue(v as never)]));
  for (const [key, value] of current) {
    const chain = chains.get(key);
    if (!chain) problems.push(`value ${key} has no audit row`);
    else if (JSON.stringify(chain.at(-1)!.after) !== JSON.stringify(value)) {
      problems.push(`value ${key} is ${JSON.stringify(value)} but its last audit row says ${JSON.stringify(chain.at(-1)!.after)}`);
    }
  }
  for (const [key, chain] of chains) {
    for (let i = 1; i < chain.length; i++) {
      if (JSON.stringify(chain[i]!.before) !== JSON.stringify(chain[i - 1]!.after)) {
        problems.push(`audit chain of ${key} is broken at row ${chain[i]!.id}: it starts from a state no audit row ended in`);
      }
    }
    if (chain[0]!.before !== null) problems.push(`audit chain of ${key} does not start from blank`);
    if (!current.has(key) && chain.at(-1)!.after !== null) {
      problems.push(`value ${key} was removed without an audit row (last audited ${JSON.stringify(chain.at(-1)!.after)})`);
    }
  }
  expect(problems, "every value change has its audit row").toEqual([]);
  return { values: values.length, auditRows: audit.length };
}

/**
 * An embedded (PGlite) database with the demo data, closed, in `folder`/data, as `npm start` makes
 * one: from the suite's demo dump when the suite runs on PGlite, built afresh when it runs on
 * PostgreSQL (so that the embedded database is tested in CI too).
 */
export async function pgliteDemoFolder(folder: string) {
  const dataDir = join(folder, "data");
  if (inject("pgliteDump")) {
    await createTestDatabase({ dataDir });
    return dataDir;
  }
  const db = createDatabase({ kind: "pglite", dataDir });
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  await db.destroy();
  return dataDir;
}

/** Every row of every table in the public schema, in a stable order: to compare two databases. */
export async function tableContents(db: Kysely<Database>) {
  const tables = (
    await sql<{
      name: string;
    }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.name);
  const contents: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = (await sql<{ row: string }>`select to_jsonb(t)::text as row from ${sql.table(table)} as t`.execute(db)).rows.map(
      (r) => r.row,
    );
    contents[table] = rows.sort();
  }
  return contents;
}
