/**
 * The page a request refused before it reaches Remix gets: short, in English and Welsh (nothing is
 * known yet of the person's language), with a link home. No script, so the CSP needs no nonce.
 * Under /api/, problem details instead, as the API's own refusals are: a program reads JSON, not
 * a page, in the language it asks for with Accept-Language.
 */
import type { Response } from "express";
import { isApiPath, languageAsked, PROBLEM_CONTENT_TYPE, problemDocument } from "#app/api/problem-document.ts";
import type { ProblemKind } from "#app/api/problem-kinds.ts";
import { translate, type MessageKey } from "#app/i18n/i18n.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendRefusal(
  res: Response,
  status: number,
  /** `problem`: the same refusal to the API, of the same status. */
  { title, body, problem }: { title: MessageKey; body: MessageKey; problem: ProblemKind },
  params: Record<string, string | number> = {},
) {
  if (isApiPath(res.req.originalUrl)) return sendProblem(res, problem, params);
  const part = (lang: "en" | "cy") =>
    `<div lang="${lang}"><h1 class="govuk-heading-l">${escapeHtml(translate(lang, title))}</h1><p class="govuk-body">${escapeHtml(translate(lang, body, params))}</p><p class="govuk-body"><a class="govuk-link" href="/">${escapeHtml(translate(lang, "refusal.home"))}</a></p></div>`;
  const html = `<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>${escapeHtml(translate("en", title))} / ${escapeHtml(translate("cy", title))}</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body class="govuk-template__body"><main class="govuk-main-wrapper govuk-width-container" id="main-content">${part("en")}<hr>${part("cy")}</main></body></html>`;
  res.status(status);
  res.set({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(html);
}

function sendProblem(res: Response, kind: ProblemKind, params: Record<string, string | number>) {
  const lang = languageAsked(res.req.get("Accept-Language"));
  const document = problemDocument(lang, kind, params);
  res.status(document.status);
  res.set({ "Content-Type": PROBLEM_CONTENT_TYPE, "Content-Language": lang, "Cache-Control": "no-store" });
  res.end(JSON.stringify(document));
}
