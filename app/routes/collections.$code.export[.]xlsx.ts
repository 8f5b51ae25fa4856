import type { LoaderFunctionArgs } from "@remix-run/node";
import { guard } from "#app/auth/guard.server.ts";
import { collectionWorkbook } from "#app/spreadsheets/collection-workbook.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";

/** The Welsh Government workbook; ?publish=1 suppresses small counts (a release of the round), ?lang=cy writes it in Welsh. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.export[.]xlsx", "loader", { request, params });
  const publish = new URL(request.url).searchParams.get("publish") === "1";
  const lang = exportLanguage(request, user);
  const workbook = await collectionWorkbook(db, collection, { lang, publish, reader, exportedBy: { id: user.id, name: user.name } });
  const name = `${collection.code}${publish ? "-for-publication" : ""}${lang === "cy" ? "-cy" : ""}.xlsx`;
  return new Response(new Uint8Array(workbook), { headers: attachmentHeaders(name, XLSX_TYPE) });
}
