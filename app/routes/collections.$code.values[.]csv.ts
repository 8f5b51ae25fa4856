import type { LoaderFunctionArgs } from "@remix-run/node";
import { guard } from "#app/auth/guard.server.ts";
import { collectionTidyCells } from "#app/spreadsheets/collection-workbook.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { tidyCsv } from "#app/spreadsheets/tidy-table.ts";

/** The tidy long table of one collection, one row per authority x item, every figure kept. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.values[.]csv", "loader", { request, params });
  const t = translator(exportLanguage(request, user));
  const cells = await collectionTidyCells(db, reader, collection.id);
  const csv = tidyCsv(t, cells);
  return new Response(`\uFEFF${csv}`, {
    headers: attachmentHeaders(`${collection.code}-values${t.lang === "cy" ? "-cy" : ""}.csv`, "text/csv; charset=utf-8"),
  });
}
