import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { isLanguage } from "#app/i18n/i18n.ts";
import { languageCookie, safeReturnPath } from "#app/i18n/language.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { setLanguage } from "#app/models/user.server.ts";
import { field, readForm } from "#app/web/forms.ts";

/** A link: this browser's language only. A link anyone can send must never change an account. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const lang = url.searchParams.get("lang");
  const returnTo = safeReturnPath(url.searchParams.get("returnTo"));
  if (!isLanguage(lang)) return redirect(returnTo);
  return redirect(returnTo, { headers: { "Set-Cookie": languageCookie(lang) } });
}

/** The switch a signed-in person uses: their account's language, which their emails follow too. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/language", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const lang = field(form, "lang");
  const returnTo = safeReturnPath(field(form, "returnTo"));
  if (!isLanguage(lang)) return redirect(returnTo);
  await setLanguage(db, user.id, lang);
  return redirect(returnTo, { headers: { "Set-Cookie": languageCookie(lang) } });
}
