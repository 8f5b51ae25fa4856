import type { Actor } from "#app/models/return.server.ts";
import type { SessionUser } from "#app/auth/auth.server.ts";

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, role: user.role, authorityCode: user.authorityCode };
}
