import type { LoaderFunctionArgs } from "@remix-run/node";
import { findReturn, valuesShown } from "#app/models/return.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { returnTemplate } from "#app/spreadsheets/return-template.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";

/**
 * The return as a spreadsheet to fill in: for its officers, pre-filled with their draft; for a
 * coordinator, with what the authority last submitted (a draft is the authority's own), or blank.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, reader, collection, authority, scope } = await guard(
    "routes/returns.$collectionCode.$authorityCode.template[.]xlsx",
    "loader",
    {
      request,
      params,
    },
  );
  const ret = await findReturn(db, scope);
  const { values } = await valuesShown(db, reader, scope, { submittedVersion: ret?.submitted_version ?? null, editing: true });
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
