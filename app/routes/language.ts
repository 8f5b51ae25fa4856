import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { isLanguage } from "#app/utils/i18n.ts";
import { languageCookie, safeReturnPath } from "#app/utils/language.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const lang = url.searchParams.get("lang");
  const returnTo = safeReturnPath(url.searchParams.get("returnTo"));
  if (!isLanguage(lang)) return redirect(returnTo);
  return redirect(returnTo, { headers: { "Set-Cookie": languageCookie(lang) } });
}
