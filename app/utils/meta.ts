import type { MetaArgs } from "@remix-run/node";
import type { Language } from "#db/types.ts";
import { translator, type Translator } from "./i18n.ts";

/** The translator for a meta function, from the root loader's choice of language. */
export function metaTranslator(matches: MetaArgs["matches"]): Translator {
  const root = matches.find((m) => m.id === "root")?.data as { lang?: Language } | undefined;
  return translator(root?.lang ?? "en");
}

/** "Title – Service", with "Error: " in front when the page shows errors, as GOV.UK pages do. */
export function pageTitle(t: Translator, title: string, { hasErrors = false } = {}) {
  return [{ title: `${hasErrors ? `${t("page.errorPrefix")} ` : ""}${title} – ${t("page.titleSuffix")}` }];
}
