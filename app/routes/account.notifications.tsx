import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, Radio, RadioGroup } from "#app/components/govuk.tsx";
import { ALWAYS_EMAILED_FOR_ROLE, deliveryChoices, KINDS_FOR_ROLE, saveDeliveryChoices } from "#app/models/notification.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { deliveryChoicesSchema } from "#app/schema/notifications.ts";
import { DELIVERIES } from "#db/types.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("notifications.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/account.notifications", "loader", { request, params });
  return {
    choices: await deliveryChoices(db, user),
    alwaysEmailed: ALWAYS_EMAILED_FOR_ROLE[user.role],
    saved: new URL(request.url).searchParams.get("done") === "saved",
    csrfToken: user.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/account.notifications", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  // Only the kinds the person may choose about are read: a reminder posted as "digest" is ignored.
  const kinds = KINDS_FOR_ROLE[user.role];
  const parsed = parseForm(form, deliveryChoicesSchema(kinds), kinds);
  if (!parsed.ok) return refuseForm(context, { errors: parsed.errors, input: parsed.input });
  await saveDeliveryChoices(db, user, parsed.data);
  throw redirect("/account/notifications?done=saved");
}

export default function NotificationSettings() {
  const { choices, alwaysEmailed, saved, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const errors = actionData?.errors ?? {};
  const summary = choices.filter((c) => errors[c.kind]).map((c) => ({ href: `#${c.kind}-email`, text: t(errors[c.kind]!) }));
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        {saved && !actionData ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t("notifications.saved")}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("notifications.title")}</h1>
        {choices.length === 0 ? (
          <p className="govuk-body">{t("notifications.noChoices")}</p>
        ) : (
          <>
            <p className="govuk-body">{t("notifications.lead")}</p>
            <form method="post" noValidate>
              <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
              {choices.map((choice) => {
                const chosen = actionData?.input[choice.kind] ?? choice.delivery;
                return (
                  <RadioGroup
                    key={choice.kind}
                    name={choice.kind}
                    legend={t(`notifications.kind.${choice.kind}`)}
                    error={errors[choice.kind] ? t(errors[choice.kind]!) : undefined}
                    errorPrefix={t("page.errorPrefix")}
                    inline
                  >
                    {DELIVERIES.map((delivery) => (
                      <Radio
                        key={delivery}
                        id={`${choice.kind}-${delivery}`}
                        name={choice.kind}
                        value={delivery}
                        label={t(`notifications.delivery.${delivery}`)}
                        checked={chosen === delivery}
                      />
                    ))}
                  </RadioGroup>
                );
              })}
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("notifications.save")}
              </button>
            </form>
          </>
        )}
        <h2 className="govuk-heading-m">{t("notifications.fixed.title")}</h2>
        <p className="govuk-body">{t("notifications.fixed.lead")}</p>
        <ul className="govuk-list govuk-list--bullet" data-testid="always-emailed">
          {alwaysEmailed.map((kind) => (
            <li key={kind}>{t(`notifications.kind.${kind}`)}</li>
          ))}
          <li>{t("notifications.fixed.security")}</li>
        </ul>
      </div>
    </div>
  );
}
