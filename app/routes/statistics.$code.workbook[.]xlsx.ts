import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedStatisticsOf } from "#app/auth/guard.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { publicLanguage, publishedFileHeaders, publishedWorkbook } from "#app/spreadsheets/statswales.server.ts";

/** A published round's workbook, ?lang=cy in Welsh: the figures as published, never who downloaded it. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { collection, publishedAt, figures } = await publishedStatisticsOf("routes/statistics.$code.workbook[.]xlsx", { params });
  const t = translator(publicLanguage(request));
  const buffer = await publishedWorkbook(t, collection, { publishedAt, figures });
  return new Response(new Uint8Array(buffer), {
    headers: publishedFileHeaders(
      `${collection.code}-statistics${t.lang === "cy" ? "-cy" : ""}.xlsx`,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
  });
}
