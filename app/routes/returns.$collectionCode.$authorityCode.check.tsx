import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, TextInput } from "#app/components/govuk.tsx";
import { ChangesTable, changedItems, ReturnSummary } from "#app/components/return-summary.tsx";
import { checkForSubmission, findReturn, returnVersions, submitReturn, workingValues } from "#app/models/return.server.ts";
import type { CleanValue, Problem } from "#app/schema/return-values.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { CSRF_FIELD, field, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { SignOffSchema } from "#app/schema/forms.ts";
import { pick, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import {
  formProblemText,
  inPageOrder,
  itemFormPath,
  problemFieldId,
  problemsByItem,
  returnPath,
  toFormValue,
} from "#app/web/return-form.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { guard } from "#app/auth/guard.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => t("check.title"), { errors: Boolean(data?.problems.length) });

async function loadDraft(method: "loader" | "action", { request, params }: { request: Request; params: LoaderFunctionArgs["params"] }) {
  const page = await guard("routes/returns.$collectionCode.$authorityCode.check", method, { request, params });
  const ret = await findReturn(page.db, page.scope);
  // Only a draft in an open collection is checked and submitted; anything else is shown on the return page.
  if (ret?.status !== "draft" || page.collection.status !== "open") {
    throw redirect(returnPath(page.collection.code, page.authority.code));
  }
  return { ...page, ret };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, reader, collection, authority, scope, ret } = await loadDraft("loader", { request, params });
  const amendment = ret.submitted_version !== null;
  const [values, check, versions] = await Promise.all([
    workingValues(db, reader, scope),
    checkForSubmission(db, scope, todayInWales()),
    amendment ? returnVersions(db, scope) : Promise.resolve([]),
  ]);
  // An amendment shows what it changes, and the last sign-off is filled in again.
  const submitted = versions.find((v) => v.version === ret.submitted_version);
  return {
    collection,
    authority,
    values,
    problems: check.problems,
    lockVersion: ret.lock_version,
    isAmendment: amendment,
    submitted: submitted ? { version: submitted.version, values: submitted.values } : null,
    amendmentReason: ret.amendment_reason,
    csrfToken: user.csrfToken,
    signer: { name: submitted?.signed_off_name ?? user.name, role: submitted?.signed_off_role ?? "" },
  };
}

type DeclarationErrors = Partial<Record<"signedOffName" | "signedOffRole", MessageKey>>;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope } = await loadDraft("action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const declaration = parseForm(form, SignOffSchema, ["signedOffName", "signedOffRole"]);
  const input = { signedOffName: declaration.input.signedOffName ?? "", signedOffRole: declaration.input.signedOffRole ?? "" };
  const errors: DeclarationErrors = declaration.ok ? {} : declaration.errors;
  if (!declaration.ok) return refuseForm(context, { errors, input, problems: [] as Problem[], conflict: false });

  const result = await submitReturn(db, scope, {
    basedOn: Number(field(form, "lockVersion")),
    ...declaration.data,
    actor: actorOf(user),
    today: todayInWales(),
  });
  if (result.ok) throw redirect(`${returnPath(collection.code, authority.code, "submitted")}?version=${result.version}`);
  if (result.reason === "problems") return refuseForm(context, { errors, input, problems: result.problems, conflict: false });
  if (result.reason === "conflict") return refuseForm(context, { errors, input, problems: [] as Problem[], conflict: true }, 409);
  throw redirect(returnPath(collection.code, authority.code));
}

export default function CheckAnswers() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const { collection, authority } = data;
  // The form, asked to show what this page found, beside each field.
  const formPath = `${returnPath(collection.code, authority.code)}?check=1`;
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const problems = inPageOrder(
    actionData?.problems.length ? actionData.problems : data.problems,
    collection.items.map((i) => i.code),
  );
  const errors = actionData?.errors ?? {};
  const summary = [
    ...problems.map((p) => ({
      href: `${itemFormPath(collection.code, authority.code, collection.items, p.itemCode, { check: true })}#${problemFieldId(p, data.values[p.itemCode] ? toFormValue(data.values[p.itemCode]!) : undefined)}`,
      text: formProblemText(t, p, labels),
    })),
    ...(["signedOffName", "signedOffRole"] as const)
      .filter((name) => errors[name])
      .map((name) => ({ href: `#${name}`, text: t(errors[name]!) })),
    ...(actionData?.conflict ? [{ href: formPath, text: t("check.conflict") }] : []),
  ];
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds-from-desktop">
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        <span className="govuk-caption-l">{pick(t.lang, authority, "name")}</span>
        <h1 className="govuk-heading-l">{t("check.title")}</h1>
        <p className="govuk-body">{pick(t.lang, collection, "title")}</p>
        {data.isAmendment ? <p className="govuk-inset-text">{t("check.amendmentReason", { reason: data.amendmentReason ?? "" })}</p> : null}
        {data.submitted ? (
          <AmendmentChanges t={t} items={collection.items} labels={labels} submitted={data.submitted} now={data.values} />
        ) : null}
        <ReturnSummary
          t={t}
          items={collection.items}
          labels={labels}
          values={data.values}
          changeHref={(code) => `${itemFormPath(collection.code, authority.code, collection.items, code, { check: true })}#item-${code}`}
          problems={problemsByItem(t, problems, labels)}
        />
        {problems.length > 0 ? (
          <p className="govuk-body">
            <a className="govuk-link" href={formPath}>
              {t("check.backToForm")}
            </a>
          </p>
        ) : (
          // Without the page's fragment, which the redirect to /submitted would otherwise keep.
          <form method="post" action={returnPath(collection.code, authority.code, "check")} noValidate>
            <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
            <input type="hidden" name="lockVersion" value={data.lockVersion} />
            <h2 className="govuk-heading-m">{t("check.declaration.title")}</h2>
            <p className="govuk-body">{t("check.declaration.body")}</p>
            <TextInput
              id="signedOffName"
              name="signedOffName"
              label={t("check.declaration.name")}
              autoComplete="name"
              defaultValue={actionData?.input.signedOffName ?? data.signer.name}
              error={errors.signedOffName ? t(errors.signedOffName) : undefined}
              errorPrefix={t("page.errorPrefix")}
            />
            <TextInput
              id="signedOffRole"
              name="signedOffRole"
              label={t("check.declaration.role")}
              hint={t("check.declaration.roleHint")}
              autoComplete="organization-title"
              defaultValue={actionData?.input.signedOffRole ?? data.signer.role}
              error={errors.signedOffRole ? t(errors.signedOffRole) : undefined}
              errorPrefix={t("page.errorPrefix")}
            />
            <button type="submit" className="govuk-button" data-module="govuk-button">
              {t("check.submit")}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

function AmendmentChanges({
  t,
  items,
  labels,
  submitted,
  now,
}: {
  t: Translator;
  items: { code: string }[];
  labels: Record<string, string>;
  submitted: { version: number; values: Record<string, CleanValue> };
  now: Record<string, CleanValue>;
}) {
  const changed = changedItems(items, submitted.values, now);
  if (changed.length === 0) return <p className="govuk-body">{t("check.noChanges", { version: submitted.version })}</p>;
  return (
    <ChangesTable
      t={t}
      items={changed}
      labels={labels}
      before={submitted.values}
      after={now}
      caption={t("check.changes", { version: submitted.version })}
      beforeHeading={t("history.version", { version: submitted.version })}
      afterHeading={t("check.thisAmendment")}
    />
  );
}
