import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { guard } from "#app/auth/guard.server.ts";
import { collectionTidyCells } from "#app/spreadsheets/collection-workbook.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { csvText, TIDY_COLUMNS, tidyHeaders, tidyValues } from "#app/spreadsheets/tidy-table.ts";

/** The tidy long table of one collection, one row per authority x item, every figure kept. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.values[.]csv", "loader", { request, params });
  const t = translator(exportLanguage(request, user));
  const cells = await collectionTidyCells(db, reader, collection.id);
  const csv = stringify([
    tidyHeaders(t),
    ...cells.map((cell) => {
      const values = tidyValues(t, cell);
      return TIDY_COLUMNS.map((column) => csvText(column, values[column]));
    }),
  ]);
  return new Response(`\uFEFF${csv}`, {
    headers: attachmentHeaders(`${collection.code}-values${t.lang === "cy" ? "-cy" : ""}.csv`, "text/csv; charset=utf-8"),
  });
}
