import type { Actor } from "#app/models/return.server.ts";
import type { SessionUser } from "#app/auth/auth.server.ts";

/** A signed-in person (a session's, an API token's) as the return model records who changed what. */
export function actorOf(user: Pick<SessionUser, "id" | "role" | "authorityCode">): Actor {
  return { userId: user.id, role: user.role, authorityCode: user.authorityCode };
}
