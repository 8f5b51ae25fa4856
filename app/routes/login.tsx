import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, ParagraphLink, TextInput } from "#app/components/govuk.tsx";
import { signIn } from "#app/models/sign-in.server.ts";
import { anonymousCsrf, challengeCookieHeader, clientAddress, getCurrentUser, requireAnonymousCsrf } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { safeReturnPath } from "#app/i18n/language.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { signedInRedirect } from "#app/web/signed-in.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("login.title"));

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const returnTo = safeReturnPath(url.searchParams.get("returnTo"));
  if (await getCurrentUser(request)) throw redirect(returnTo);
  const csrf = await anonymousCsrf(request);
  return data(
    { csrf: csrf.token, returnTo, again: url.searchParams.has("again") },
    csrf.setCookie ? { headers: { "Set-Cookie": csrf.setCookie } } : undefined,
  );
}

type FieldErrors = Partial<Record<"email" | "password", MessageKey>>;

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  await requireAnonymousCsrf(request, form);
  const email = field(form, "email");
  const password = field(form, "password");
  const returnTo = safeReturnPath(field(form, "returnTo"));
  const errors: FieldErrors = {};
  if (!email.trim()) errors.email = "login.error.emailMissing";
  if (!password) errors.password = "login.error.passwordMissing";
  if (Object.keys(errors).length > 0) return refuseForm(context, { errors, email });

  const db = await getDb();
  const result = await signIn(db, { email, password, address: clientAddress(context), userAgent: request.headers.get("User-Agent") });
  if (!result.ok) {
    const key: MessageKey = result.reason === "throttled" ? "login.error.throttled" : "login.error.invalid";
    return refuseForm(context, { errors: { email: key } as FieldErrors, email }, result.reason === "throttled" ? 429 : 400);
  }
  if (result.ok === "secondFactor") {
    throw redirect(`/login/code?returnTo=${encodeURIComponent(returnTo)}`, {
      headers: { "Set-Cookie": await challengeCookieHeader(result.challenge) },
    });
  }
  throw await signedInRedirect(request, db, result, returnTo);
}

export default function Login() {
  const { csrf, returnTo, again } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const errors = actionData?.errors ?? {};
  const errorPrefix = t("page.errorPrefix");
  const summary = (["email", "password"] as const)
    .filter((name) => errors[name])
    .map((name) => ({ href: `#${name}`, text: t(errors[name]!) }));
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        {again && !actionData ? (
          <NotificationBanner title={t("banner.important")}>
            <p className="govuk-notification-banner__heading">{t("login.again")}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("login.title")}</h1>
        <p className="govuk-body">{t("login.lead")}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <input type="hidden" name="returnTo" value={returnTo} />
          <TextInput
            id="email"
            name="email"
            type="email"
            label={t("login.email")}
            autoComplete="email"
            spellCheck={false}
            defaultValue={actionData?.email}
            error={errors.email ? t(errors.email) : undefined}
            errorPrefix={errorPrefix}
          />
          <TextInput
            id="password"
            name="password"
            type="password"
            label={t("login.password")}
            autoComplete="current-password"
            error={errors.password ? t(errors.password) : undefined}
            errorPrefix={errorPrefix}
          />
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("login.submit")}
          </button>
        </form>
        <ParagraphLink to="/forgot-password">{t("login.forgotten")}</ParagraphLink>
      </div>
    </div>
  );
}
