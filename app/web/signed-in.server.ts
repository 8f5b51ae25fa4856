import type { Kysely } from "kysely";
import { redirect } from "@remix-run/node";
import type { Database } from "#db/types.ts";
import { getCurrentUser, sessionCookieHeader } from "#app/auth/auth.server.ts";
import { languageCookie, languageOf } from "#app/i18n/language.server.ts";
import { revokeSession } from "#app/models/session.server.ts";
import { setLanguage } from "#app/models/user.server.ts";

/**
 * The end of signing in, after the password or after the second factor: the browser's earlier
 * session ends, the new one's cookie is set, and the person goes where they were going.
 */
export async function signedInRedirect(
  request: Request,
  db: Kysely<Database>,
  signedIn: { token: string; user: { id: number; language: "en" | "cy" } },
  returnTo: string,
  headers = new Headers(),
) {
  // A new session id at every sign-in; whatever session this browser had before ends now.
  const previous = await getCurrentUser(request);
  if (previous) await revokeSession(db, previous);
  // A language chosen on the sign-in page wins, and is kept with the account from now on.
  const chosen = languageOf(request, { cookieOnly: true });
  if (chosen && chosen !== signedIn.user.language) await setLanguage(db, signedIn.user.id, chosen);
  headers.append("Set-Cookie", await sessionCookieHeader(signedIn.token));
  headers.append("Set-Cookie", languageCookie(chosen ?? signedIn.user.language));
  return redirect(returnTo, { headers });
}
