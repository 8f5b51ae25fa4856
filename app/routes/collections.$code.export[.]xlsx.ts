import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCollection } from "#app/models/collection.server.ts";
import { notFound, requireUser } from "#app/auth/auth.server.ts";
import { collectionWorkbook } from "#app/spreadsheets/collection-workbook.server.ts";
import { getDb } from "#app/db.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";

/** The Welsh Government workbook; ?publish=1 suppresses small counts, ?lang=cy writes it in Welsh. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, ["coordinator", "analyst"]);
  const db = await getDb();
  const collection = await getCollection(db, params.code ?? "");
  if (!collection || collection.status === "draft") throw notFound();
  const publish = new URL(request.url).searchParams.get("publish") === "1";
  const lang = exportLanguage(request, user);
  const workbook = await collectionWorkbook(db, collection, { lang, publish, reader: user });
  const name = `${collection.code}${publish ? "-for-publication" : ""}${lang === "cy" ? "-cy" : ""}.xlsx`;
  return new Response(new Uint8Array(workbook), { headers: attachmentHeaders(name, XLSX_TYPE) });
}
