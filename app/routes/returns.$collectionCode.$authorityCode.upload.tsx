import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, ParagraphLink } from "#app/components/govuk.tsx";
import { ReturnUpload } from "#app/components/workbook-upload.tsx";
import { findReturn, saveReturn, workingValues } from "#app/models/return.server.ts";
import type { RawReturn } from "#app/schema/return-values.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { refuseForm } from "#app/web/forms.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { hasOpened } from "#app/domain/round.ts";
import { pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { guard } from "#app/auth/guard.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { readReturnSheet, readStamp, returnTemplateShape } from "#app/spreadsheets/return-template.server.ts";
import { issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { checkXlsx, loadWorkbook, readUploadForm } from "#app/spreadsheets/upload.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("upload.title")}: ${pick(t.lang, data.authority, "name")}` : t("notFound.title")));

/** Only the authority's own officers fill in its return, and only while it is a draft of an open collection. */
async function loadEditable(method: "loader" | "action", { request, params }: { request: Request; params: LoaderFunctionArgs["params"] }) {
  const page = await guard("routes/returns.$collectionCode.$authorityCode.upload", method, { request, params });
  const ret = await findReturn(page.db, page.scope);
  const opened = hasOpened(page.collection, todayInWales());
  const editable = page.collection.status === "open" && opened && (!ret || ret.status === "draft");
  return { ...page, ret, editable, opened };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, collection, authority, editable } = await loadEditable("loader", { request, params });
  if (!editable) throw redirect(returnPath(collection.code, authority.code));
  return { collection, authority, csrfToken: user.csrfToken };
}

const message = (key: Extract<UploadIssue, { kind: "message" }>["key"], params?: Record<string, string | number>): UploadIssue => ({
  kind: "message",
  key,
  params,
});

/**
 * A filled template, checked through the shared schema exactly as the form is, and saved to the
 * draft all at once, or not at all. Fields the template does not carry (explanations of queried
 * figures) keep what the draft has.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, reader, collection, authority, scope, ret, editable, opened } = await loadEditable("action", { request, params });
  const refuse = (issues: UploadIssue[], status = 400) => refuseForm(context, { issues }, status);
  const upload = await readUploadForm(request);
  if (!upload.ok) return refuse([upload.issue], upload.status);
  requireCsrf(user, upload.form);
  if (!editable) {
    const key = collection.status !== "open" ? "upload.error.closed" : opened ? "upload.error.notDraft" : "upload.error.notYetOpen";
    return refuse([message(key)], 409);
  }
  if (!upload.file) return refuse([message("upload.error.noFile")]);
  const unsafe = await checkXlsx(upload.file.bytes, returnTemplateShape(collection));
  if (unsafe) return refuse([unsafe]);
  const workbook = await loadWorkbook(upload.file.bytes);
  if (!workbook) return refuse([message("upload.error.notXlsx")]);

  const stamp = readStamp(workbook);
  if (!stamp) return refuse([message("upload.error.notTemplate")]);
  if (stamp.collectionCode !== collection.code || stamp.authorityCode !== authority.code) {
    return refuse([message("upload.error.otherReturn", { reference: `${stamp.authorityCode} ${stamp.collectionCode}` })]);
  }
  if (stamp.lockVersion !== (ret?.lock_version ?? 0)) return refuse([message("upload.error.outOfDate")], 409);
  const sheet = readReturnSheet(workbook, collection);
  if (!sheet.ok) return refuse(sheet.issues);

  const working = await workingValues(db, reader, scope);
  const raw: RawReturn = Object.fromEntries(
    Object.entries(sheet.raw).map(([code, value]) => [code, { ...value, queryExplanation: working[code]?.queryExplanation ?? undefined }]),
  );
  const saved = await saveReturn(db, scope, {
    basedOn: stamp.lockVersion,
    raw,
    actor: actorOf(user),
    reason: `Uploaded from the spreadsheet ${upload.file.name}`,
  });
  if (!saved.ok) {
    if (saved.reason === "invalid") {
      return refuse(
        saved.problems.map((problem) => ({
          kind: "cell",
          sheet: sheet.sheet,
          cell: sheet.cellOf(problem.itemCode, problem.field),
          problem,
        })),
      );
    }
    const keys = {
      conflict: "upload.error.outOfDate",
      notEditable: "upload.error.notDraft",
      collectionNotOpen: "upload.error.closed",
      notYetOpen: "upload.error.notYetOpen",
    } as const;
    return refuse([message(keys[saved.reason])], 409);
  }
  throw redirect(`${returnPath(collection.code, authority.code)}?saved=upload`);
}

export default function UploadReturn() {
  const { collection, authority, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const issues = actionData?.issues ?? [];
  const texts = issues.map((issue) => issueText(t, issue, labels));
  const here = returnPath(collection.code, authority.code);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={texts.map((text) => ({ href: "#workbook", text }))} />
        <span className="govuk-caption-l">
          {pick(t.lang, authority, "name")}: {pick(t.lang, collection, "title")}
        </span>
        <h1 className="govuk-heading-l">{t("upload.title")}</h1>
        <ReturnUpload
          t={t}
          collectionCode={collection.code}
          authorityCode={authority.code}
          csrfToken={csrfToken}
          error={texts.length === 0 ? undefined : texts.length === 1 ? texts[0] : t("upload.error.count", { count: texts.length })}
        />
        <ParagraphLink to={here}>{t("history.back")}</ParagraphLink>
      </div>
    </div>
  );
}
