import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { revokeSession } from "#app/models/session.server.ts";
import { clearSessionCookieHeader, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { readForm } from "#app/web/forms.ts";

export async function loader() {
  return redirect("/");
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/logout", "action", { request, params });
  requireCsrf(user, await readForm(request));
  await revokeSession(db, user);
  return redirect("/login", { headers: { "Set-Cookie": await clearSessionCookieHeader() } });
}
