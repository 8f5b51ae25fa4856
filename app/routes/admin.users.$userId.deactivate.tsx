import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { WarningText } from "#app/components/govuk.tsx";
import { deactivateUser } from "#app/models/account.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guardAccountPage, refuseReason } from "#app/auth/admin-account.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { AccountActionPage, REASON_FIELD, ReasonField, SubmitOrCancel } from "#app/components/account-action.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? t("deactivate.title", { name: data.user.name }) : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { admin, user } = await guardAccountPage("routes/admin.users.$userId.deactivate", "loader", { request, params });
  return {
    user: { id: user.id, name: user.name, email: user.email, active: user.active },
    isSelf: user.id === admin.id,
    csrfToken: admin.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, admin, user } = await guardAccountPage("routes/admin.users.$userId.deactivate", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(admin, form);
  const reason = field(form, REASON_FIELD);
  const result = await deactivateUser(db, user.id, reason, { userId: admin.id, isAdmin: admin.isAdmin });
  // The confirmation says so when the account's API tokens were revoked with it.
  if (result.ok) throw redirect(`/admin/users?done=${result.tokensRevoked > 0 ? "deactivatedWithTokens" : "deactivated"}`);
  if (result.reason === "reason") return refuseReason(context, result.error, reason);
  if (result.reason === "self") return refuseForm(context, { error: "deactivate.error.self" as MessageKey, reason: "" });
  if (result.reason === "notFound") throw notFound();
  throw redirect("/admin/users");
}

export default function Deactivate() {
  const { user, isSelf, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const error = actionData?.error ? t(actionData.error) : undefined;
  return (
    <AccountActionPage
      back="/admin/users"
      email={user.email}
      title={t("deactivate.title", { name: user.name })}
      error={error}
      errorHref={isSelf ? "#deactivate" : undefined}
    >
      {!user.active ? (
        <p className="govuk-body">{t("deactivate.already")}</p>
      ) : isSelf ? (
        <p className="govuk-body" id="deactivate">
          {t("deactivate.error.self")}
        </p>
      ) : (
        <>
          <WarningText assistive={t("common.warning")}>{t("deactivate.body")}</WarningText>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <ReasonField label={t("deactivate.reason")} hint={t("deactivate.reasonHint")} defaultValue={actionData?.reason} error={error} />
            <SubmitOrCancel label={t("deactivate.submit")} cancelTo="/admin/users" warning />
          </form>
        </>
      )}
    </AccountActionPage>
  );
}
