import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Textarea } from "#app/components/govuk.tsx";
import { amendReturn, findReturn } from "#app/models/return.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { CSRF_FIELD, field, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { AmendmentSchema } from "#app/schema/forms.ts";
import { pick, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { guard } from "#app/auth/guard.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("amend.title"));

async function loadSubmitted(method: "loader" | "action", { request, params }: { request: Request; params: LoaderFunctionArgs["params"] }) {
  const page = await guard("routes/returns.$collectionCode.$authorityCode.amend", method, { request, params });
  const ret = await findReturn(page.db, page.scope);
  if (!ret || ret.status === "draft" || page.collection.status !== "open") {
    throw redirect(returnPath(page.collection.code, page.authority.code));
  }
  return { ...page, ret };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, collection, authority, ret } = await loadSubmitted("loader", { request, params });
  return { collection, authority, lockVersion: ret.lock_version, status: ret.status, csrfToken: user.csrfToken };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope } = await loadSubmitted("action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const parsed = parseForm(form, AmendmentSchema, ["reason"]);
  const reason = parsed.input.reason ?? "";
  if (!parsed.ok) return refuseForm(context, { error: parsed.errors.reason ?? null, reason });
  const result = await amendReturn(db, scope, {
    basedOn: Number(field(form, "lockVersion")),
    reason: parsed.data.reason,
    actor: actorOf(user),
  });
  if (!result.ok && result.reason === "conflict") return refuseForm(context, { error: "amend.error.conflict" as MessageKey, reason }, 409);
  throw redirect(returnPath(collection.code, authority.code));
}

export default function Amend() {
  const { collection, authority, lockVersion, status, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const error = actionData?.error ? t(actionData.error) : undefined;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: "#reason", text: error }] : []} />
        <span className="govuk-caption-l">{pick(t.lang, authority, "name")}</span>
        <h1 className="govuk-heading-l">{t("amend.title")}</h1>
        <p className="govuk-body">{pick(t.lang, collection, "title")}</p>
        <p className="govuk-body">{t("amend.lead")}</p>
        {status === "accepted" ? <p className="govuk-inset-text">{t("amend.accepted")}</p> : null}
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
          <input type="hidden" name="lockVersion" value={lockVersion} />
          <Textarea
            id="reason"
            name="reason"
            label={t("amend.reason")}
            labelClassName="govuk-label govuk-label--m"
            hint={t("amend.reasonHint")}
            defaultValue={actionData?.reason}
            error={error}
            errorPrefix={t("page.errorPrefix")}
          />
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("amend.submit")}
          </button>
        </form>
      </div>
    </div>
  );
}
