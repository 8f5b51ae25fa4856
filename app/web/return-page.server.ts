import type { Params } from "@remix-run/react";
import type { Role } from "#db/types.ts";
import { findAuthority } from "#app/models/authority.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { scopeForUser, type Actor } from "#app/models/return.server.ts";
import { notFound, requireUser, type SessionUser } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";

/**
 * The return an address names, if this user may see it: otherwise a 404, whether the collection or
 * authority does not exist or belongs to someone else.
 */
export async function loadReturnScope(request: Request, params: Params, roles?: Role[]) {
  const user = await requireUser(request, roles);
  const db = await getDb();
  const [collection, authority] = await Promise.all([
    getCollection(db, params.collectionCode ?? ""),
    findAuthority(db, params.authorityCode ?? ""),
  ]);
  if (!collection || collection.status === "draft" || !authority) throw notFound();
  const scope = scopeForUser(user, collection, authority.code);
  if (!scope) throw notFound();
  return { db, user, collection, authority, scope };
}

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, role: user.role, authorityCode: user.authorityCode };
}
