/**
 * The one guard every route's loader and action calls: it reads the route's line of ROUTE_ACCESS
 * (policy.ts) and lets the request through with what the route may use, or refuses it: a redirect
 * to sign in for anyone not signed in, a 404 for anyone else who may not (refusals look like
 * absence). A route that calls it with another route's id is caught by the access matrix.
 */
import { redirect } from "@remix-run/node";
import type { Params } from "@remix-run/react";
import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { getCollection, getCollectionAndAuthority, isPublished, type CollectionWithItems } from "#app/models/collection.server.ts";
import type { ReturnScope } from "#app/models/return.server.ts";
import { getDb } from "#app/db.server.ts";
import { publishedFigures } from "#app/models/statistics.server.ts";
import { notFound, requireUser, type SessionUser } from "./auth.server.ts";
import {
  accessOf,
  isReturnAbility,
  may,
  mustHaveTwoFactor,
  type ROUTE_ACCESS,
  type Access,
  type PortalAbility,
  type ReturnAbility,
  type RouteId,
  type TokenAccess,
} from "./policy.ts";
import { readerFor, type Reader } from "./policy.server.ts";

type Table = typeof ROUTE_ACCESS;
/** The methods of a route that have something to guard (not "public", not "nobody"). */
type GuardedMethod<R extends RouteId> = {
  [M in keyof Table[R]]: Table[R][M] extends { may: string } ? M : never;
}[keyof Table[R]] &
  ("loader" | "action");

export interface Grant {
  user: SessionUser;
  db: Kysely<Database>;
  /** Whose figures this person's reads may return. */
  reader: Reader;
}
export interface CollectionGrant extends Grant {
  collection: CollectionWithItems;
}
export interface ReturnGrant extends CollectionGrant {
  authority: NonNullable<Awaited<ReturnType<typeof getCollectionAndAuthority>>>["authority"];
  scope: ReturnScope;
}

type GrantOf<A> = A extends { may: ReturnAbility } ? ReturnGrant : A extends { collection: string } ? CollectionGrant : Grant;

export async function guard<R extends RouteId, M extends GuardedMethod<R>>(
  route: R,
  method: M,
  { request, params }: { request: Request; params: Params },
): Promise<GrantOf<Table[R][M]>> {
  const access = accessOf(route, method);
  if (!access || typeof access === "string") throw new Error(`${route} ${method}: nothing to guard; the route must not call guard`);
  if ("token" in access) throw new Error(`${route} ${method}: an API route is guarded by tokenGuard (token.server.ts)`);
  const granted = await grant(request, params, access);
  return granted as GrantOf<Table[R][M]>;
}

async function grant(request: Request, params: Params, access: Exclude<Access, string | TokenAccess>): Promise<Grant> {
  const user = await requireUser(request);
  if (mustHaveTwoFactor(user) && !user.hasTwoFactor && !("beforeTwoFactor" in access && access.beforeTwoFactor)) {
    const url = new URL(request.url);
    throw redirect(`/account/two-factor?returnTo=${encodeURIComponent(`${url.pathname}${url.search}`)}`);
  }
  const ability = access.may;
  if (isReturnAbility(ability)) return returnGrant(user, params, ability);
  if (!may(user, ability as PortalAbility)) throw notFound();
  const db = await getDb();
  const reader = readerFor(user);
  if (!("collection" in access) || !access.collection) return { user, db, reader };
  const collection = await getCollection(db, params.code ?? "");
  if (!collection || (access.collection === "published" && !isPublished(collection))) throw notFound();
  const granted: CollectionGrant = { user, db, reader, collection };
  return granted;
}

/**
 * A round whose statistics are published, for anyone: its figures as published (through the
 * suppression plan). Any other round, or none, is a 404.
 */
export async function publishedStatisticsOf(route: RouteId, { params }: { params: Params }) {
  const access = accessOf(route, "loader");
  if (access !== "publishedStatistics") throw new Error(`${route}: not a published-statistics route`);
  const db = await getDb();
  const collection = await getCollection(db, params.code ?? "");
  const published = collection ? await publishedFigures(db, collection.id) : null;
  if (!collection || !published) throw notFound();
  return { db, collection, ...published };
}

/** The return an address names, if this person may do this to it: otherwise a 404, whether it does not exist or is someone else's. */
async function returnGrant(user: SessionUser, params: Params, ability: ReturnAbility): Promise<ReturnGrant> {
  const db = await getDb();
  const addressed = await addressedReturn(db, params);
  if (!addressed || !may(user, ability, addressed.authority.code)) throw notFound();
  return { user, db, reader: readerFor(user), ...addressed };
}

/**
 * The return an address names (`:collectionCode`, `:authorityCode`): its collection, published,
 * and its authority; null where either does not exist or the collection is a draft.
 */
export async function addressedReturn(db: Kysely<Database>, params: Params) {
  const found = await getCollectionAndAuthority(db, params.collectionCode ?? "", params.authorityCode ?? "");
  if (!found || !isPublished(found.collection)) return null;
  const { collection, authority } = found;
  return { collection, authority, scope: { collection, authorityCode: authority.code } };
}
