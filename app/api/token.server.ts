/**
 * The guard of every machine API route (policy.ts, TokenAccess): the bearer token, its throttle,
 * and what its owner may do now. Sessions are never read here: a browser's cookie opens nothing
 * in the API, so no page elsewhere can ride on it.
 *
 * - no token, or a dead one (unknown, revoked, expired, owner deactivated): 401;
 * - over its throttle: 429 with Retry-After;
 * - a token that may not (another authority's return, a scope that does not reach): 404, as for
 *   an address that does not exist.
 */
import type { Params } from "@remix-run/react";
import type { Kysely } from "kysely";
import type { Database, Language } from "#db/types.ts";
import { getDb } from "#app/db.server.ts";
import type { findAuthority } from "#app/models/authority.server.ts";
import { getCollection, isPublished, type CollectionWithItems } from "#app/models/collection.server.ts";
import type { ReturnScope } from "#app/models/return.server.ts";
import { authenticateApiToken, type TokenUser } from "#app/models/api-token.server.ts";
import { readerFor, type Reader } from "#app/auth/policy.server.ts";
import { accessOf, type ROUTE_ACCESS, tokenMay, type RouteId, type TokenAccess } from "#app/auth/policy.ts";
import { addressedReturn } from "#app/auth/guard.server.ts";
import { languageAsked } from "./problem-document.ts";
import { problem } from "./problem.server.ts";

type Table = typeof ROUTE_ACCESS;
type TokenMethod<R extends RouteId> = {
  [M in keyof Table[R]]: Table[R][M] extends TokenAccess ? M : never;
}[keyof Table[R]] &
  ("loader" | "action");

export interface TokenGrantResult {
  db: Kysely<Database>;
  user: TokenUser;
  /** The owner's reader: a token reads only what its owner could. */
  reader: Reader;
  lang: Language;
}
export interface TokenCollectionGrant extends TokenGrantResult {
  collection: CollectionWithItems;
}
export interface TokenReturnGrant extends TokenCollectionGrant {
  authority: NonNullable<Awaited<ReturnType<typeof findAuthority>>>;
  scope: ReturnScope;
}

type GrantOf<A> = A extends { token: "returns:write" }
  ? TokenReturnGrant
  : A extends { collection: string }
    ? TokenCollectionGrant
    : TokenGrantResult;

/** The language of a refusal before the token is known: the one the client asks for, else English. */
export function requestLanguage(request: Request): Language {
  return languageAsked(request.headers.get("Accept-Language"));
}

function bearer(request: Request) {
  const match = /^Bearer ([^\s]+)$/.exec(request.headers.get("Authorization")?.trim() ?? "");
  return match ? match[1]! : null;
}

export async function tokenGuard<R extends RouteId, M extends TokenMethod<R>>(
  route: R,
  method: M,
  { request, params }: { request: Request; params: Params },
): Promise<GrantOf<Table[R][M]>> {
  const access = accessOf(route, method);
  if (!access || typeof access === "string" || !("token" in access)) throw new Error(`${route} ${method}: not an API route`);
  const granted = await grant(request, params, access);
  return granted as GrantOf<Table[R][M]>;
}

async function grant(request: Request, params: Params, access: TokenAccess): Promise<TokenGrantResult> {
  const db = await getDb();
  const token = bearer(request);
  const unauthorized = { headers: { "WWW-Authenticate": 'Bearer realm="api"' } };
  if (!token) throw problem(requestLanguage(request), "unauthorized", unauthorized);
  const found = await authenticateApiToken(db, token);
  if (!found.ok && found.reason === "invalid") throw problem(requestLanguage(request), "unauthorized", unauthorized);
  if (!found.ok) {
    const seconds = String(found.retryAfter);
    throw problem(found.user.language, "throttled", { params: { seconds }, headers: { "Retry-After": seconds } });
  }
  const { user } = found;
  const lang = user.language;
  const notFound = () => problem(lang, "notFound");
  const base: TokenGrantResult = { db, user, reader: readerFor(user), lang };
  if (access.token === "returns:write") {
    const addressed = await addressedReturn(db, params);
    if (!addressed) throw notFound();
    if (!tokenMay(user, { scope: user.scope, authorityCode: user.tokenAuthority }, access, addressed.authority.code)) throw notFound();
    const granted: TokenReturnGrant = { ...base, ...addressed };
    return granted;
  }
  if (!tokenMay(user, { scope: user.scope, authorityCode: user.tokenAuthority }, access)) throw notFound();
  if (!access.collection) return base;
  const collection = await getCollection(db, params.code ?? "");
  if (!collection || !isPublished(collection)) throw notFound();
  const granted: TokenCollectionGrant = { ...base, collection };
  return granted;
}
