import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedStatisticsOf } from "#app/auth/guard.server.ts";
import { itemLookupCsv, publishedFileHeaders } from "#app/spreadsheets/statswales.server.ts";

/** The lookup of a published round's item codes, with their Welsh and English descriptions. */
export async function loader({ params }: LoaderFunctionArgs) {
  const { collection } = await publishedStatisticsOf("routes/statistics.$code.items[.]csv", { params });
  return new Response(itemLookupCsv(collection), {
    headers: publishedFileHeaders(`${collection.code}-items.csv`, "text/csv; charset=utf-8"),
  });
}
