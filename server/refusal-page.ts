/**
 * The page a request refused before it reaches Remix gets: short, in English and Welsh (nothing is
 * known yet of the person's language), with a link home. No script, so the CSP needs no nonce.
 */
import type { Response } from "express";
import { translate, type MessageKey } from "#app/i18n/i18n.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendRefusal(
  res: Response,
  status: number,
  { title, body }: { title: MessageKey; body: MessageKey },
  params: Record<string, string | number> = {},
) {
  const part = (lang: "en" | "cy") =>
    `<div lang="${lang}"><h1 class="govuk-heading-l">${escapeHtml(translate(lang, title))}</h1><p class="govuk-body">${escapeHtml(translate(lang, body, params))}</p><p class="govuk-body"><a class="govuk-link" href="/">${escapeHtml(translate(lang, "refusal.home"))}</a></p></div>`;
  const html = `<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>${escapeHtml(translate("en", title))} / ${escapeHtml(translate("cy", title))}</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body class="govuk-template__body"><main class="govuk-main-wrapper govuk-width-container" id="main-content">${part("en")}<hr>${part("cy")}</main></body></html>`;
  res.status(status);
  res.set({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(html);
}
