import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { revokeSession } from "#app/models/session.server.ts";
import { clearSessionCookieHeader, requireCsrf, requireUser } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { readForm } from "#app/web/forms.ts";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  requireCsrf(user, await readForm(request));
  await revokeSession(await getDb(), user);
  return redirect("/login", { headers: { "Set-Cookie": await clearSessionCookieHeader() } });
}
