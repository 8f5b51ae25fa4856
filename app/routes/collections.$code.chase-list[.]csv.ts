import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { chaseList } from "#app/models/board.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { pick, translator } from "#app/i18n/i18n.ts";
import { inertCsvText } from "#app/spreadsheets/tidy-table.ts";

/** Authorities that have not submitted, with their officers' names and emails, for chasing by hand. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase-list[.]csv", "loader", { request, params });
  const t = translator(user.language);
  const rows = await chaseList(db, collection.id);
  const csv = stringify([
    [t("chase.csv.authorityCode"), t("chase.csv.authority"), t("chase.csv.status"), t("chase.csv.officer"), t("chase.csv.email")],
    ...rows.map((r) => [
      r.code,
      pick(t.lang, r, "name"),
      t(`returnStatus.${r.status ?? "notStarted"}`),
      inertCsvText(r.name ?? ""),
      inertCsvText(r.email ?? ""),
    ]),
  ]);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${collection.code}-chase-list.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
