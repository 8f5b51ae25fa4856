import { createCookie, redirect } from "@remix-run/node";
import { findSession, randomToken, sameToken, SESSION_HOURS, touchSession, type SessionUser } from "#app/models/session.server.ts";
import { getDb } from "#app/db.server.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { currentRequest } from "#app/web/request-context.server.ts";
import { secureCookies, sessionSecret } from "./secrets.server.ts";

export type { SessionUser };

const cookieOptions = () => ({
  httpOnly: true,
  sameSite: "lax" as const,
  secure: secureCookies(),
  path: "/",
  secrets: [sessionSecret()],
});

const sessionCookie = () => createCookie("__session", { ...cookieOptions(), maxAge: SESSION_HOURS * 3600 });
/** The step between a right password and the code, for a person with a second factor: its token. */
const challengeCookie = () => createCookie("__sign_in_code", { ...cookieOptions(), maxAge: 10 * 60 });

export async function challengeToken(request: Request): Promise<string> {
  const value: unknown = await challengeCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : "";
}

export function challengeCookieHeader(token: string) {
  return challengeCookie().serialize(token);
}

export function clearChallengeCookieHeader() {
  return challengeCookie().serialize("", { maxAge: 0 });
}

/** For forms used before signing in (the sign-in form itself): a signed double-submit token. */
const anonymousCsrfCookie = () => createCookie("__csrf", cookieOptions());

export async function sessionToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : null;
}

export function sessionCookieHeader(token: string) {
  return sessionCookie().serialize(token);
}

export function clearSessionCookieHeader() {
  return sessionCookie().serialize("", { maxAge: 0 });
}

// Remix runs the root loader and the page's loader of one request side by side, each with its own
// Request, and both ask who is signed in: lookups of one session token share one query while it
// runs (a WeakMap keyed by Request never hit). Nothing is kept once it has answered.
const lookupsInFlight = new Map<string, Promise<SessionUser | null>>();

export async function getCurrentUser(request: Request): Promise<SessionUser | null> {
  const token = await sessionToken(request);
  if (!token) return null;
  let lookup = lookupsInFlight.get(token);
  if (!lookup) {
    lookup = getDb()
      .then(async (db) => {
        const user = await findSession(db, token);
        // "Last used", for the person's list of sessions: inside the shared lookup, so once per request.
        if (user) await touchSession(db, user);
        return user;
      })
      .finally(() => lookupsInFlight.delete(token));
    lookupsInFlight.set(token, lookup);
  }
  const user = await lookup;
  // For the request's log line: who asked (an id, never a name or an address).
  const context = currentRequest();
  if (context && user) context.userId = user.id;
  return user;
}

export function signInRedirect(request: Request) {
  const url = new URL(request.url);
  return redirect(`/login?returnTo=${encodeURIComponent(`${url.pathname}${url.search}`)}`);
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. What they may do is the guard's business. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getCurrentUser(request);
  if (!user) throw signInRedirect(request);
  return user;
}

/** Refusals look like absence: nobody learns what exists behind an address they may not see. */
export function notFound() {
  return new Response("Not found", { status: 404 });
}

/** Every data-changing form carries the session's CSRF token; anything else is refused and changes nothing. */
export function requireCsrf(user: SessionUser, form: FormData) {
  const sent = form.get(CSRF_FIELD);
  if (typeof sent !== "string" || !sameToken(sent, user.csrfToken)) {
    throw new Response("The form was out of date. Go back, reload the page and try again.", { status: 403 });
  }
}

export async function anonymousCsrf(request: Request) {
  const existing: unknown = await anonymousCsrfCookie().parse(request.headers.get("Cookie"));
  if (typeof existing === "string" && existing.length > 20) return { token: existing, setCookie: null };
  const token = randomToken();
  return { token, setCookie: await anonymousCsrfCookie().serialize(token) };
}

export async function requireAnonymousCsrf(request: Request, form: FormData) {
  const expected: unknown = await anonymousCsrfCookie().parse(request.headers.get("Cookie"));
  const sent = form.get(CSRF_FIELD);
  if (typeof expected !== "string" || typeof sent !== "string" || !sameToken(sent, expected)) {
    throw new Response("The form was out of date. Go back, reload the page and try again.", { status: 403 });
  }
}

/** The network address of the request, as the server passed it in the load context. */
export function clientAddress(context: { clientAddress?: string }) {
  return context.clientAddress ?? "unknown";
}
