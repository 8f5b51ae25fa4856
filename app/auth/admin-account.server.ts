import type { AppLoadContext } from "@remix-run/node";
import type { Params } from "@remix-run/react";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { REASON_MAX_LENGTH } from "#app/schema/forms.ts";
import { refuseForm } from "#app/web/forms.ts";
import { notFound } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { findUser } from "#app/models/account.server.ts";

/** The admin pages that act on one account, named by its id in the address. */
type AccountRoute =
  | "routes/admin.users.$userId.deactivate"
  | "routes/admin.users.$userId.reactivate"
  | "routes/admin.users.$userId.two-factor";

/** The account id in the address; NaN (no account) for anything but a plain number. */
export const userIdOf = (params: Params) => (/^\d{1,9}$/.test(params.userId ?? "") ? Number(params.userId) : NaN);

/** The admin, and the account the address names; a 404 for anyone else or for no such account. */
export async function guardAccountPage(route: AccountRoute, method: "loader" | "action", args: { request: Request; params: Params }) {
  const { user: admin, db } = await guard(route, method, args);
  const user = await findUser(db, userIdOf(args.params));
  if (!user) throw notFound();
  return { db, admin, user };
}

/**
 * A reason the account's model refused (AccountReasonSchema): the page again with the error, and
 * the reason as typed, for the admin to correct; no more of it than twice what may be kept.
 */
export function refuseReason(context: AppLoadContext, error: MessageKey, typed: string) {
  return refuseForm(context, { error, reason: typed.slice(0, 2 * REASON_MAX_LENGTH) });
}
