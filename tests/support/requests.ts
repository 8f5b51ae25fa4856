import { sql, type Kysely } from "kysely";
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

/**
 * A fingerprint of tables, worked out in the database: each table's row count and the md5 of all
 * its rows as text, in a fixed order. Two fingerprints are equal exactly when (md5 aside) every
 * row is; reading it costs one query, not a copy of every row. `from` may narrow a table to some
 * columns (a SELECT list), for tables whose other columns are large and never change.
 */
export async function fingerprint(db: Kysely<Database>, tables: readonly string[], from: Record<string, string> = {}) {
  const parts = tables.map((table) => {
    const source = from[table] ? sql.raw(`(select ${from[table]} from ${table})`) : sql.table(table);
    return sql<{
      name: string;
      rows: number;
      hash: string;
    }>`select ${table}::text as name, count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as hash from ${source} as t`;
  });
  const query = parts.slice(1).reduce((all, part) => sql`${all} union all ${part}`, parts[0]!);
  const { rows } = await query.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.rows} rows, md5 ${r.hash}`]));
}

/** The rows an officer's actions can touch, to show that a refused request changed nothing: the return tables and the audit log. */
export async function snapshot(db: Kysely<Database>) {
  return JSON.stringify(await fingerprint(db, ["return", "value", "return_version", "return_version_value", "audit_log"]));
}
