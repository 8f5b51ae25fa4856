import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { isLanguage } from "#app/i18n/i18n.ts";
import { languageCookie, safeReturnPath } from "#app/i18n/language.server.ts";
import { getCurrentUser } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { setLanguage } from "#app/models/user.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const lang = url.searchParams.get("lang");
  const returnTo = safeReturnPath(url.searchParams.get("returnTo"));
  if (!isLanguage(lang)) return redirect(returnTo);
  const user = await getCurrentUser(request);
  if (user && user.language !== lang) await setLanguage(await getDb(), user.id, lang);
  return redirect(returnTo, { headers: { "Set-Cookie": languageCookie(lang) } });
}
