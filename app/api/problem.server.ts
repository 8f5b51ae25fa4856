/**
 * The machine API's answers: JSON, and every refusal as problem details (RFC 9457,
 * application/problem+json), titled and worded from the message catalogue in the token owner's
 * language. A bad field is named by a JSON pointer into the request body, with the form's words.
 */
import type { Language } from "#db/types.ts";
import type { MessageParams, Translator } from "#app/i18n/i18n.ts";
import type { Problem } from "#app/schema/return-values.ts";
import { problemText } from "#app/web/return-form.ts";
import { PROBLEM_CONTENT_TYPE, problemDocument } from "./problem-document.ts";
import type { ProblemKind } from "./problem-kinds.ts";

export { problemType } from "./problem-document.ts";

const NO_STORE = { "Cache-Control": "no-store" } as const;

export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...init.headers },
  });
}

export interface ProblemOptions {
  params?: MessageParams;
  headers?: Record<string, string>;
  /** Extension members (RFC 9457 section 3.2): `errors`, `current`. */
  extra?: Record<string, unknown>;
  instance?: string;
}

export function problem(lang: Language, kind: ProblemKind, { params, headers, extra, instance }: ProblemOptions = {}) {
  const document = problemDocument(lang, kind, params);
  const body = { ...document, ...(instance ? { instance } : {}), ...extra };
  return new Response(JSON.stringify(body), {
    status: document.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, "Content-Language": lang, ...NO_STORE, ...headers },
  });
}

/** A JSON pointer (RFC 6901) from its segments: "" for the whole body. */
export function jsonPointer(segments: readonly PropertyKey[]) {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** A JSON pointer to one field of one item in a body of the form { values: { item: { field } } }. */
export function valuePointer(itemCode: string, field?: string) {
  return jsonPointer(field ? ["values", itemCode, field] : ["values", itemCode]);
}

/** Each problem as the API lists it: where it is, its code, and the form's words for it. */
export function describeProblems(t: Translator, problems: Problem[], labels: Record<string, string>) {
  return problems.map((p) => ({
    pointer: valuePointer(p.itemCode, p.field),
    itemCode: p.itemCode,
    field: p.field,
    code: p.key,
    detail: problemText(t, p, labels),
  }));
}
