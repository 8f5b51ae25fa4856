import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { reactivateUser } from "#app/models/account.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guardAccountPage, refuseReason } from "#app/auth/admin-account.server.ts";
import { CSRF_FIELD, field, readForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { AccountActionPage, REASON_FIELD, ReasonField, SubmitOrCancel } from "#app/components/account-action.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? t("reactivate.title", { name: data.user.name }) : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { admin, user } = await guardAccountPage("routes/admin.users.$userId.reactivate", "loader", { request, params });
  return {
    user: { id: user.id, name: user.name, email: user.email, active: user.active },
    csrfToken: admin.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, admin, user } = await guardAccountPage("routes/admin.users.$userId.reactivate", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(admin, form);
  const reason = field(form, REASON_FIELD);
  const result = await reactivateUser(db, user.id, reason, { userId: admin.id, isAdmin: admin.isAdmin });
  if (result.ok) throw redirect("/admin/users?done=reactivated");
  if (result.reason === "reason") return refuseReason(context, result.error, reason);
  if (result.reason === "notFound") throw notFound();
  throw redirect(`/admin/users/${user.id}`);
}

export default function Reactivate() {
  const { user, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const error = actionData?.error ? t(actionData.error) : undefined;
  return (
    <AccountActionPage back={`/admin/users/${user.id}`} email={user.email} title={t("reactivate.title", { name: user.name })} error={error}>
      {user.active ? (
        <p className="govuk-body">{t("reactivate.already")}</p>
      ) : (
        <>
          <p className="govuk-body">{t("reactivate.body")}</p>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <ReasonField label={t("reactivate.reason")} defaultValue={actionData?.reason} error={error} />
            <SubmitOrCancel label={t("reactivate.submit")} cancelTo={`/admin/users/${user.id}`} />
          </form>
        </>
      )}
    </AccountActionPage>
  );
}
