/**
 * A problem details document (RFC 9457) as the machine API sends it: its type, title, status and
 * detail, from the message catalogue. Shared by the API's routes (problem.server.ts) and by the
 * express layer, which refuses some requests to /api/ before Remix sees them (server/refusal-page.ts).
 */
import type { Language } from "#db/types.ts";
import { isLanguage, translate, type MessageKey, type MessageParams } from "#app/i18n/i18n.ts";
import type { ProblemKind } from "./problem-kinds.ts";

export const PROBLEM_STATUS: Record<ProblemKind, number> = {
  unauthorized: 401,
  notFound: 404,
  throttled: 429,
  methodNotAllowed: 405,
  unsupportedMediaType: 415,
  badBody: 400,
  preconditionRequired: 428,
  conflict: 409,
  notEditable: 409,
  collectionNotOpen: 409,
  notYetOpen: 409,
  invalid: 422,
  crossOrigin: 403,
  lengthRequired: 411,
  tooLarge: 413,
  internal: 500,
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

/** Where each kind of problem is explained: a section of the reference page. */
export const problemType = (kind: ProblemKind) => `/api/v1/docs#problem-${kind}`;

export function problemDocument(lang: Language, kind: ProblemKind, params?: MessageParams) {
  return {
    type: problemType(kind),
    title: translate(lang, `api.problem.${kind}.title` as MessageKey),
    status: PROBLEM_STATUS[kind],
    detail: translate(lang, `api.problem.${kind}.detail` as MessageKey, params),
  };
}

/** The language of a refusal before any token is known: the one the client asks for, else English. */
export function languageAsked(acceptLanguage: string | null | undefined): Language {
  const asked = acceptLanguage?.trim().slice(0, 2).toLowerCase();
  return isLanguage(asked) ? asked : "en";
}

/** Whether an address (a query may follow it) is the machine API's: in any case of letters, as Remix matches it. */
export const isApiPath = (path: string) => /^\/api(?:[/?]|$)/i.test(path);
