import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner } from "#app/components/govuk.tsx";
import { ReturnSummary } from "#app/components/return-summary.tsx";
import { ValueFieldset } from "#app/components/value-fieldset.tsx";
import { previousValues } from "#app/models/aggregation.server.ts";
import { returnDefinition } from "#app/models/collection.server.ts";
import { findReturn, queryContext, saveValues, workingValues } from "#app/models/return.server.ts";
import { findQueries, validateReturn } from "#app/schema/return-values.ts";
import {requireCsrf} from "#app/utils/auth.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/utils/forms.ts";
import { formatDate, pick } from "#app/utils/i18n.ts";
import { pageTitle } from "#app/utils/meta.ts";
import {
  FIELD_OF,
  problemFieldId,
  problemText,
  readFormValues,
  returnPath,
  toFormValue,
  toRawReturn,
  type FormValue,
  type FormValues,
} from "#app/utils/return-form.ts";
import { actorOf, loadReturnScope, todayInWales } from "#app/utils/return-page.server.ts";
import { useTranslation } from "#app/utils/use-translation.ts";
import { describeValue } from "#app/utils/values.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) =>
    data ? `${pick(t.lang, data.authority, "name")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title"),
  );

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, collection, authority, scope } = await loadReturnScope(request, params);
  const [ret, values, previous] = await Promise.all([
    findReturn(db, scope),
    workingValues(db, scope),
    previousValues(db, {
      authorityCode: authority.code,
      before: collection.reference_date,
      itemCodes: collection.items.map((i) => i.code),
    }),
  ]);
  const editable = user.role === "officer" && collection.status === "open" && (!ret || ret.status === "draft");
  const queries = ret ? findQueries(returnDefinition(collection), values, await queryContext(db, scope)) : [];
  return {
    collection,
    authority,
    returnStatus: ret?.status ?? null,
    submittedVersion: ret?.submitted_version ?? null,
    lockVersion: ret?.lock_version ?? 0,
    editable,
    mayAmend: user.role === "officer" && collection.status === "open" && ret !== undefined && ret.status !== "draft",
    csrfToken: user.csrfToken,
    values,
    previous: Object.fromEntries(previous),
    queries,
    saved: new URL(request.url).searchParams.get("saved") === "1",
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope } = await loadReturnScope(request, params, ["officer"]);
  const form = await readForm(request);
  requireCsrf(user, form);
  const basedOn = Number(field(form, "lockVersion"));
  const input = readFormValues(form, collection.items.map((i) => i.code));
  if (!Number.isInteger(basedOn) || basedOn < 0) return refuseForm(context, { problems: [], input, conflict: false });

  const checked = validateReturn(returnDefinition(collection), toRawReturn(input), { mode: "draft", today: todayInWales() });
  if (!checked.ok) return refuseForm(context, { problems: checked.problems, input, conflict: false });

  const saved = await saveValues(db, scope, { basedOn, values: checked.values, actor: actorOf(user) });
  if (!saved.ok) {
    if (saved.reason === "conflict") return refuseForm(context, { problems: [], input, conflict: true }, 409);
    throw redirect(returnPath(collection.code, authority.code));
  }
  const next = field(form, "intent") === "check" ? returnPath(collection.code, authority.code, "check") : `${returnPath(collection.code, authority.code)}?saved=1`;
  throw redirect(next);
}

export default function ReturnForm() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const { collection, authority } = data;
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const formValues: FormValues =
    actionData?.input ?? Object.fromEntries(Object.entries(data.values).map(([code, v]) => [code, toFormValue(v)]));
  const problems = actionData?.problems ?? [];
  const summary = problems.map((p) => ({
    href: `#${problemFieldId(p, formValues[p.itemCode]?.state ?? "")}`,
    text: problemText(t, p, labels),
  }));
  const errorsFor = (code: string) => {
    const errors: Partial<Record<keyof FormValue, string>> = {};
    for (const p of problems.filter((p) => p.itemCode === code)) errors[FIELD_OF[p.field]] ??= problemText(t, p, labels);
    return errors;
  };

  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={summary} />
      {actionData?.conflict ? (
        <NotificationBanner title={t("form.conflict.title")}>
          <p className="govuk-notification-banner__heading">{t("form.conflict.heading")}</p>
          <p className="govuk-body">{t("form.conflict.body")}</p>
          <ConflictTable saved={data.values} yours={formValues} labels={labels} />
        </NotificationBanner>
      ) : null}
      {data.saved && !actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("form.saved")}</p>
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{pick(t.lang, authority, "name")}</span>
      <h1 className="govuk-heading-l">{pick(t.lang, collection, "title")}</h1>
      <p className="govuk-body">
        {t("form.asAt", { date: formatDate(t.lang, collection.reference_date) })}{" "}
        {t("form.due", { date: formatDate(t.lang, collection.due_on) })}
      </p>
      <p className="govuk-body">{pick(t.lang, collection, "guidance")}</p>
      <p className="govuk-body">
        <strong className="govuk-tag govuk-tag--blue">{t(`returnStatus.${data.returnStatus ?? "notStarted"}`)}</strong>
        {data.submittedVersion ? (
          <>
            {" "}
            <Link className="govuk-link" to={returnPath(collection.code, authority.code, "history")}>
              {t("form.historyLink")}
            </Link>
          </>
        ) : null}
      </p>

      {data.editable ? (
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
          <input type="hidden" name="lockVersion" value={data.lockVersion} />
          <p className="govuk-body">{t("form.lead")}</p>
          {collection.items.map((item) => {
            const previous = data.previous[item.code];
            return (
              <ValueFieldset
                key={item.code}
                t={t}
                item={{
                  code: item.code,
                  label: labels[item.code]!,
                  definition: pick(t.lang, item, "definition"),
                  ageFrom: item.age_from,
                  ageTo: item.age_to,
                  required: item.required,
                }}
                value={formValues[item.code]!}
                errors={errorsFor(item.code)}
                previous={
                  previous
                    ? { collectionTitle: pick(t.lang, previous, "title"), text: describeValue(t, previous, true) }
                    : null
                }
                queries={data.queries.filter((q) => q.itemCode === item.code)}
              />
            );
          })}
          <div className="govuk-button-group">
            <button type="submit" name="intent" value="check" className="govuk-button" data-module="govuk-button">
              {t("form.saveAndCheck")}
            </button>
            <button type="submit" name="intent" value="save" className="govuk-button govuk-button--secondary" data-module="govuk-button">
              {t("form.saveDraft")}
            </button>
          </div>
        </form>
      ) : (
        <>
          <ReturnSummary t={t} collection={collection} values={data.values} />
          {data.mayAmend ? (
            <Link className="govuk-button" to={returnPath(collection.code, authority.code, "amend")}>
              {t("form.amendLink")}
            </Link>
          ) : null}
        </>
      )}
    </>
  );
}

function ConflictTable({
  saved,
  yours,
  labels,
}: {
  saved: ReturnType<typeof useLoaderData<typeof loader>>["values"];
  yours: FormValues;
  labels: Record<string, string>;
}) {
  const t = useTranslation();
  const describeForm = (v: FormValue) => (v.state === "reported" || (!v.state && v.number) ? v.number : v.state ? t(`state.${v.state}` as "state.unknown") : t("state.blank"));
  return (
    <table className="govuk-table">
      <caption className="govuk-table__caption govuk-table__caption--s">{t("form.conflict.caption")}</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">{t("collection.totals.item")}</th>
          <th scope="col" className="govuk-table__header">{t("form.conflict.saved")}</th>
          <th scope="col" className="govuk-table__header">{t("form.conflict.yours")}</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {Object.entries(labels).map(([code, label]) => (
          <tr key={code} className="govuk-table__row">
            <th scope="row" className="govuk-table__header">{label}</th>
            <td className="govuk-table__cell">{describeValue(t, saved[code]!, true)}</td>
            <td className="govuk-table__cell">{describeForm(yours[code]!)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
