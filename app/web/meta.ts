import type { MetaArgs } from "@remix-run/node";
import type { Language } from "#db/types.ts";
import { translator, type Translator } from "#app/i18n/i18n.ts";

type RootData = { lang?: Language; pageHasErrors?: boolean } | undefined;

const rootData = (matches: MetaArgs["matches"]) => matches.find((m) => m.id === "root")?.data as RootData;

/** The translator for a meta function, from the root loader's choice of language. */
function metaTranslator(matches: MetaArgs["matches"]): Translator {
  return translator(rootData(matches)?.lang ?? "en");
}

/**
 * "Title – Service", with "Error: " in front when the page shows a refused form, or (`errors`)
 * problems its loader found, as GOV.UK pages do.
 */
export function pageTitle(matches: MetaArgs["matches"], title: (t: Translator) => string, { errors = false } = {}) {
  const t = metaTranslator(matches);
  const prefix = rootData(matches)?.pageHasErrors || errors ? `${t("page.errorPrefix")} ` : "";
  return [{ title: `${prefix}${title(t)} – ${t("page.titleSuffix")}` }];
}
