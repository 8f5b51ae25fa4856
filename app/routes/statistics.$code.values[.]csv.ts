import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedStatisticsOf } from "#app/auth/guard.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { publicLanguage, publishedFileHeaders, publishedValuesCsv } from "#app/spreadsheets/statswales.server.ts";

/** A published round's tidy table, one row per authority x item, ?lang=cy in Welsh. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { collection, figures } = await publishedStatisticsOf("routes/statistics.$code.values[.]csv", { params });
  const t = translator(publicLanguage(request));
  return new Response(`\uFEFF${publishedValuesCsv(t, collection, figures)}`, {
    headers: publishedFileHeaders(`${collection.code}-values${t.lang === "cy" ? "-cy" : ""}.csv`, "text/csv; charset=utf-8"),
  });
}
