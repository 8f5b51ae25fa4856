import type { LoaderFunctionArgs } from "@remix-run/node";
import { findReturn, workingValues } from "#app/models/return.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { returnTemplate } from "#app/spreadsheets/return-template.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";

/** The return as a spreadsheet to fill in, pre-filled with the working draft: for its officers and coordinators. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, collection, authority, scope } = await guard(
    "routes/returns.$collectionCode.$authorityCode.template[.]xlsx",
    "loader",
    {
      request,
      params,
    },
  );
  const [ret, values] = await Promise.all([findReturn(db, scope), workingValues(db, scope)]);
  const workbook = await returnTemplate({
    collection,
    authority,
    values,
    lockVersion: ret?.lock_version ?? 0,
    lang: exportLanguage(request, user),
  });
  return new Response(new Uint8Array(workbook), {
    headers: attachmentHeaders(`${collection.code}-${authority.code}-template.xlsx`, XLSX_TYPE),
  });
}
