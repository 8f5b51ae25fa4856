import { sql, type Kysely } from "kysely";
import { beforeAll } from "vitest";
import type { Database } from "#db/types.ts";
import { createSession, hashToken } from "#app/models/session.server.ts";
import { sessionCookieHeader } from "#app/auth/auth.server.ts";

export interface Visitor {
  userId: number;
  cookie: string;
  csrf: string;
  /** An API token of the same person, sent as a bearer token (only the machine API reads it). */
  apiToken?: string;
}

/** What a visitor's browser, or their script, sends with every request. */
export function visitorHeaders(visitor?: Visitor): Record<string, string> {
  if (!visitor) return {};
  return { Cookie: visitor.cookie, ...(visitor.apiToken ? { Authorization: `Bearer ${visitor.apiToken}` } : {}) };
}

/** Signs a demo account in the way the sign-in page does, and returns what its browser would send. */
export async function signIn(db: Kysely<Database>, email: string): Promise<Visitor> {
  const user = await db.selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  const token = await createSession(db, user.id);
  // By the token's own session: the latest by time could be another opened in the same millisecond.
  const session = await db.selectFrom("session").select("csrf_token").where("id", "=", hashToken(token)).executeTakeFirstOrThrow();
  const cookie = (await sessionCookieHeader(token)).split(";")[0]!;
  return { userId: user.id, cookie, csrf: session.csrf_token };
}

/**
 * For a route test file: these people (a name for each, and their email) signed in to the file's
 * database before its tests, each then read as `people.<name>`.
 */
export function useSignedIn<Name extends string>(db: () => Kysely<Database>, emails: Record<Name, string>) {
  const people = {} as Record<Name, Visitor>;
  beforeAll(async () => {
    const names = Object.keys(emails) as Name[];
    const visitors = await Promise.all(names.map((name) => signIn(db(), emails[name])));
    names.forEach((name, i) => {
      people[name] = visitors[i]!;
    });
  });
  return people;
}

export const OFFICER = {
  cardiff: "officer.cardiff@authorities.example",
  newport: "officer.newport@authorities.example",
  conwy: "officer.conwy@authorities.example",
};
export const COORDINATOR = "coordinator@adss-cymru.example";
export const ANALYST = "analyst@gov-wales.example";

export function get(path: string, visitor?: Visitor) {
  return new Request(`http://localhost${path}`, { headers: visitorHeaders(visitor) });
}

export function post(path: string, fields: Record<string, string | string[]>, visitor?: Visitor, { csrf = true } = {}) {
  const body = new URLSearchParams();
  if (visitor && csrf) body.append("csrf", visitor.csrf);
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return new Request(`http://localhost${path}`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(visitor ? { Cookie: visitor.cookie } : {}) },
  });
}

export type RouteOutcome<T> =
  | { kind: "data"; status: number; data: T }
  | { kind: "response"; status: number; location: string | null; response: Response };

/**
 * Runs a loader or action as Remix would, and says what the person would get: data (with its
 * status), or a response (a redirect, a 404) whether it was returned or thrown.
 */
export async function run<T>(fn: () => Promise<T>): Promise<RouteOutcome<unknown>> {
  try {
    const result: unknown = await fn();
    if (result instanceof Response)
      return { kind: "response", status: result.status, location: result.headers.get("Location"), response: result };
    if (result && typeof result === "object" && (result as { type?: string }).type === "DataWithResponseInit") {
      const { data, init } = result as unknown as { data: T; init: ResponseInit | null };
      return { kind: "data", status: init?.status ?? 200, data };
    }
    return { kind: "data", status: 200, data: result };
  } catch (thrown) {
    if (thrown instanceof Response)
      return { kind: "response", status: thrown.status, location: thrown.headers.get("Location"), response: thrown };
    throw thrown;
  }
}

export function routeArgs(request: Request, params: Record<string, string> = {}) {
  return { request, params, context: {} as Record<string, unknown> };
}

/** Tables that change by design on requests that change nothing else: signing in, using a token. */
const CHANGED_BY_ANY_REQUEST = new Set(["session", "sign_in_attempt", "api_token"]);
const tableLists = new WeakMap<Kysely<Database>, Promise<string[]>>();

function snapshotTables(db: Kysely<Database>) {
  let tables = tableLists.get(db);
  if (!tables) {
    tables = sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by 1`
      .execute(db)
      .then(({ rows }) => rows.map((r) => r.name).filter((name) => !CHANGED_BY_ANY_REQUEST.has(name)));
    tableLists.set(db, tables);
  }
  return tables;
}

/**
 * The one fingerprint of the database, to show that a refused request changed nothing: every
 * table, each as its row count and the newest transaction that wrote one of its rows (`xmin`). An
 * insert or a delete changes the count, and every insert or update writes a row version stamped
 * with a transaction newer than any before, so any write shows, even one that writes back what was
 * there; and it costs one query with no row read as text. Left out by design: sessions and sign-in
 * attempts (signing in changes them), API tokens' use counters (the rest of each token is compared
 * by content), the audit rows of `auditExcept` with the seal, and the tables of `tablesExcept`
 * (those the request under test writes by design).
 */
export async function snapshot(db: Kysely<Database>, { auditExcept = [] as string[], tablesExcept = [] as string[] } = {}) {
  // The seal follows the audit log (the database writes it at the commit of every audit row), the
  // left-out rows' too: it is compared only when every audit row is.
  const tables = (await snapshotTables(db)).filter(
    (table) => !tablesExcept.includes(table) && (auditExcept.length === 0 || table !== "audit_seal"),
  );
  const parts = tables.map((table) => {
    const rows =
      table === "audit_log" && auditExcept.length > 0
        ? sql`(select xmin from audit_log where action not in (${sql.join(auditExcept)}))`
        : sql.table(table);
    return sql<{
      name: string;
      rows: number;
      newest: string;
    }>`select ${table}::text as name, count(*)::int as rows, 'newest written by ' || coalesce(max(t.xmin::text::bigint)::text, 'none') as newest from ${rows} as t`;
  });
  // A token's use counters (last use, the throttle's window) change on every request by design, so
  // its other columns are compared by content.
  parts.push(
    sql`select 'api_token' as name, count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as newest from (select id, owner_id, name, scope, authority_code, expires_at, revoked_at from api_token) as t`,
  );
  const query = parts.slice(1).reduce((all, part) => sql`${all} union all ${part}`, parts[0]!);
  const { rows } = await query.execute(db);
  return JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, `${r.rows} rows, ${r.newest}`])));
}
