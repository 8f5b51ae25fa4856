import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { chaseList, completenessBoard } from "#app/models/board.server.ts";
import { filterBoard, readBoardFilter } from "#app/domain/board.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { guard } from "#app/auth/guard.server.ts";
import { formatDate, pick, translator } from "#app/i18n/i18n.ts";
import { inertCsvText } from "#app/spreadsheets/tidy-table.ts";

/**
 * Authorities that have not submitted, with their officers' names and emails, the due date and the
 * items still missing, for chasing by hand: of those the board's filters (in the address) show.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase-list[.]csv", "loader", { request, params });
  const t = translator(user.language);
  const board = await completenessBoard(db, { collectionId: collection.id, today: todayInWales() });
  const filter = readBoardFilter(new URL(request.url).searchParams, [...new Set(board.map((r) => r.region_code))]);
  const rows = await chaseList(
    db,
    collection.id,
    filterBoard(board, filter, t.lang).map((r) => r.code),
  );
  const missing = (answered: string[] | null) =>
    collection.items
      .filter((item) => !(answered ?? []).includes(item.code))
      .map((item) => pick(t.lang, item, "label"))
      .join("; ");
  const csv = stringify([
    [
      t("chase.csv.authorityCode"),
      t("chase.csv.authority"),
      t("chase.csv.status"),
      t("chase.csv.officer"),
      t("chase.csv.email"),
      t("chase.csv.dueOn"),
      t("chase.csv.missing"),
    ],
    ...rows.map((r) => [
      r.code,
      pick(t.lang, r, "name"),
      t(`returnStatus.${r.status ?? "notStarted"}`),
      inertCsvText(r.name ?? ""),
      inertCsvText(r.email ?? ""),
      formatDate(t.lang, collection.due_on),
      inertCsvText(missing(r.answered)),
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
