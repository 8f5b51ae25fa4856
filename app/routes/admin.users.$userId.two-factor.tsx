import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { WarningText } from "#app/components/govuk.tsx";
import { hasTwoFactor, resetTwoFactor } from "#app/models/two-factor.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guardAccountPage, refuseReason } from "#app/auth/admin-account.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { AccountActionPage, REASON_FIELD, ReasonField, SubmitOrCancel } from "#app/components/account-action.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? t("resetTwoFactor.title", { name: data.user.name }) : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, admin, user } = await guardAccountPage("routes/admin.users.$userId.two-factor", "loader", { request, params });
  return {
    user: { id: user.id, name: user.name, email: user.email },
    hasTwoFactor: await hasTwoFactor(db, user.id),
    isSelf: user.id === admin.id,
    csrfToken: admin.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, admin, user } = await guardAccountPage("routes/admin.users.$userId.two-factor", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(admin, form);
  const reason = field(form, REASON_FIELD);
  const result = await resetTwoFactor(db, user.id, { userId: admin.id, isAdmin: admin.isAdmin }, reason);
  if (result.ok) throw redirect(`/admin/users?done=${result.tokensRevoked > 0 ? "twoFactorResetWithTokens" : "twoFactorReset"}`);
  if (result.reason === "notFound") throw notFound();
  if (result.reason === "notSetUp") throw redirect("/admin/users");
  if (result.reason === "reason") return refuseReason(context, result.error, reason);
  return refuseForm(context, { error: "resetTwoFactor.error.self" as MessageKey, reason: "" });
}

export default function ResetTwoFactor() {
  const { user, hasTwoFactor, isSelf, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const error = actionData?.error ? t(actionData.error) : undefined;
  return (
    <AccountActionPage
      back="/admin/users"
      email={user.email}
      title={t("resetTwoFactor.title", { name: user.name })}
      error={error}
      errorHref={isSelf ? "#reset-self" : undefined}
    >
      {!hasTwoFactor ? (
        <p className="govuk-body">{t("resetTwoFactor.none")}</p>
      ) : isSelf ? (
        <p className="govuk-body" id="reset-self">
          {t("resetTwoFactor.error.self")}
        </p>
      ) : (
        <>
          <WarningText assistive={t("common.warning")}>{t("resetTwoFactor.body")}</WarningText>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <ReasonField
              label={t("resetTwoFactor.reason")}
              hint={t("resetTwoFactor.reasonHint")}
              defaultValue={actionData?.reason}
              error={error}
            />
            <SubmitOrCancel label={t("resetTwoFactor.submit")} cancelTo="/admin/users" warning />
          </form>
        </>
      )}
    </AccountActionPage>
  );
}
