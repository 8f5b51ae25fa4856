import { useRouteLoaderData } from "@remix-run/react";
import { translator } from "./i18n.ts";
import type { Language } from "#db/types.ts";

/** The translator for the page's language, as the root loader chose it. */
export function useTranslation() {
  const data = useRouteLoaderData<{ lang: Language }>("root");
  return translator(data?.lang ?? "en");
}
