import type { Language } from "#db/types.ts";
import { isLanguage, translator } from "./i18n.ts";
import { secureCookies } from "#app/auth/secrets.server.ts";

export const LANGUAGE_COOKIE = "lang";

function cookieValue(request: Request, name: string) {
  const cookies = request.headers.get("Cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** The person's chosen language; Accept-Language is only the first guess. */
export function languageOf(request: Request): Language;
export function languageOf(request: Request, options: { cookieOnly: true }): Language | null;
export function languageOf(request: Request, { cookieOnly = false } = {}): Language | null {
  const chosen = cookieValue(request, LANGUAGE_COOKIE);
  if (isLanguage(chosen)) return chosen;
  if (cookieOnly) return null;
  const accepted = (request.headers.get("Accept-Language") ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", q] = part.trim().split(";q=");
      return { lang: tag.slice(0, 2).toLowerCase(), q: q ? Number(q) : 1 };
    })
    .filter((a) => isLanguage(a.lang))
    .sort((a, b) => b.q - a.q);
  return accepted[0]?.lang === "cy" ? "cy" : "en";
}

export function translatorFor(request: Request) {
  return translator(languageOf(request));
}

export function languageCookie(lang: Language) {
  return `${LANGUAGE_COOKIE}=${lang}; Path=/; Max-Age=${60 * 60 * 24 * 365}; SameSite=Lax; HttpOnly${secureCookies() ? "; Secure" : ""}`;
}

/**
 * Only paths within this site may be returned to, never another site. A browser drops tabs and
 * newlines from an address ("/\t/evil.example" is "//evil.example"), and a header cannot carry a
 * control character, so a path with any of them, a space or a backslash is refused too. A
 * character beyond ASCII is percent-encoded: a Location header carries bytes, and "/Ā" as it came
 * made the redirect throw, a 500 (on sign-in, after the session was made, with no cookie sent).
 */
export function safeReturnPath(value: unknown, fallback = "/") {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007F\\]/.test(value) || /\p{Surrogate}/u.test(value)) return fallback;
  return value.replace(/[^\u0021-\u007E]+/gu, (text) => encodeURIComponent(text));
}
