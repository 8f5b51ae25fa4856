import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { collectionWorkbook } from "#app/spreadsheets/collection-workbook.server.ts";
import { UnprotectableSmallCount } from "#app/domain/suppression-plan.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { readForm } from "#app/web/forms.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";

/** The Welsh Government workbook with every figure; ?lang=cy writes it in Welsh. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.export[.]xlsx", "loader", { request, params });
  // The workbook for publication is a release of the round, so it is asked for by a form, never by
  // a link anyone could send: its old address leads to that form.
  if (new URL(request.url).searchParams.has("publish")) throw redirect(`/collections/${collection.code}#publication`);
  const lang = exportLanguage(request, user);
  const workbook = await collectionWorkbook(db, collection, { lang, publish: false, reader, exportedBy: { id: user.id, name: user.name } });
  return new Response(new Uint8Array(workbook), {
    headers: attachmentHeaders(`${collection.code}${lang === "cy" ? "-cy" : ""}.xlsx`, XLSX_TYPE),
  });
}

/** The workbook for publication: small counts suppressed, recorded as a release of the round, audited. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.export[.]xlsx", "action", { request, params });
  requireCsrf(user, await readForm(request));
  const lang = exportLanguage(request, user);
  const workbook = await collectionWorkbook(db, collection, {
    lang,
    publish: true,
    reader,
    exportedBy: { id: user.id, name: user.name },
  }).catch((error) => {
    // Back to the form, which says which small count no plan could protect; nothing was recorded.
    if (error instanceof UnprotectableSmallCount) {
      throw redirect(`/collections/${collection.code}?unprotectable=${encodeURIComponent(error.key)}#publication`);
    }
    throw error;
  });
  const name = `${collection.code}-for-publication${lang === "cy" ? "-cy" : ""}.xlsx`;
  return new Response(new Uint8Array(workbook), { headers: attachmentHeaders(name, XLSX_TYPE) });
}
