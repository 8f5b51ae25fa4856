import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, ParagraphLink, TextInput } from "#app/components/govuk.tsx";
import { requestPasswordReset, RESET_THROTTLE } from "#app/models/account.server.ts";
import { anonymousCsrf, clientAddress, requireAnonymousCsrf } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { CSRF_FIELD, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { ForgotPasswordSchema } from "#app/schema/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => t(data?.sent ? "forgot.sent.title" : "forgot.title"));

export async function loader({ request }: LoaderFunctionArgs) {
  const sent = new URL(request.url).searchParams.has("sent");
  const csrf = await anonymousCsrf(request);
  return data(
    { sent, csrf: csrf.token, perEmail: RESET_THROTTLE.perEmail },
    csrf.setCookie ? { headers: { "Set-Cookie": csrf.setCookie } } : undefined,
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  await requireAnonymousCsrf(request, form);
  const parsed = parseForm(form, ForgotPasswordSchema, ["email"]);
  if (!parsed.ok) return refuseForm(context, { error: parsed.errors.email, email: parsed.input.email });
  // Whatever happened (a link sent, an invitee pointed to their invitation, no such account, too
  // many requests), the answer is the same page: it says nothing about who has an account.
  await requestPasswordReset(await getDb(), { email: parsed.data.email, address: clientAddress(context), baseUrl: publicBaseUrl() });
  deliverInBackground();
  throw redirect("/forgot-password?sent");
}

export default function ForgotPassword() {
  const { sent, csrf, perEmail } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  if (sent) {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <h1 className="govuk-heading-l">{t("forgot.sent.title")}</h1>
          <p className="govuk-body">{t("forgot.sent.body")}</p>
          <p className="govuk-body">{t("forgot.sent.help", { count: perEmail })}</p>
          <ParagraphLink to="/login">{t("login.title")}</ParagraphLink>
        </div>
      </div>
    );
  }
  const error = actionData?.error ? t(actionData.error) : undefined;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <Link to="/login" className="govuk-back-link">
          {t("common.back")}
        </Link>
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: "#email", text: error }] : []} />
        <h1 className="govuk-heading-l">{t("forgot.title")}</h1>
        <p className="govuk-body">{t("forgot.lead")}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <TextInput
            id="email"
            name="email"
            type="email"
            label={t("forgot.email")}
            autoComplete="email"
            spellCheck={false}
            defaultValue={actionData?.email}
            error={error}
            errorPrefix={t("page.errorPrefix")}
          />
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("forgot.submit")}
          </button>
        </form>
      </div>
    </div>
  );
}
