import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, TextInput } from "#app/components/govuk.tsx";
import { answerChallenge, findChallenge } from "#app/models/two-factor.server.ts";
import { anonymousCsrf, challengeToken, clearChallengeCookieHeader, clientAddress, requireAnonymousCsrf } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { safeReturnPath } from "#app/i18n/language.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { signedInRedirect } from "#app/web/signed-in.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { AppCodeInput } from "#app/components/two-factor-code.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => t(data?.recovery ? "login.code.recoveryTitle" : "login.code.title"));

/** Back to the password, with the challenge's cookie gone: it was used, ran out, or never was. */
async function startAgain(request: Request) {
  const hadOne = (await challengeToken(request)) !== "";
  return redirect(hadOne ? "/login?again=1" : "/login", { headers: { "Set-Cookie": await clearChallengeCookieHeader() } });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const returnTo = safeReturnPath(url.searchParams.get("returnTo"));
  const challenge = await findChallenge(await getDb(), await challengeToken(request));
  if (!challenge) throw await startAgain(request);
  const csrf = await anonymousCsrf(request);
  return data(
    { csrf: csrf.token, returnTo, recovery: url.searchParams.get("use") === "recovery" },
    csrf.setCookie ? { headers: { "Set-Cookie": csrf.setCookie } } : undefined,
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  await requireAnonymousCsrf(request, form);
  const returnTo = safeReturnPath(field(form, "returnTo"));
  const recovery = field(form, "kind") === "recoveryCode";
  const value = field(form, recovery ? "recoveryCode" : "code").trim();
  const refuse = (error: MessageKey, status = 400) => refuseForm(context, { error }, status);
  if (recovery) {
    if (!value) return refuse("login.code.error.recoveryMissing");
    if (value.length > 100) return refuse("login.code.error.recoveryInvalid");
  } else {
    if (!value) return refuse("login.code.error.missing");
    if (!/^\d{6}$/.test(value.replace(/\s+/g, ""))) return refuse("login.code.error.format");
  }

  const db = await getDb();
  const result = await answerChallenge(
    db,
    await challengeToken(request),
    { kind: recovery ? "recoveryCode" : "code", value },
    { address: clientAddress(context), userAgent: request.headers.get("User-Agent") },
  );
  if (result.ok) {
    const headers = new Headers({ "Set-Cookie": await clearChallengeCookieHeader() });
    throw await signedInRedirect(request, db, result, returnTo, headers);
  }
  if (result.reason === "expired") throw await startAgain(request);
  if (result.reason === "throttled") return refuse("login.code.error.throttled", 429);
  return refuse(recovery ? "login.code.error.recoveryInvalid" : "login.code.error.invalid");
}

export default function SignInCode() {
  const { csrf, returnTo, recovery } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const fieldId = recovery ? "recoveryCode" : "code";
  const error = actionData?.error ? t(actionData.error) : undefined;
  const here = `/login/code?returnTo=${encodeURIComponent(returnTo)}`;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: `#${fieldId}`, text: error }] : []} />
        <h1 className="govuk-heading-l">{t(recovery ? "login.code.recoveryTitle" : "login.code.title")}</h1>
        <p className="govuk-body">{t(recovery ? "login.code.recoveryLead" : "login.code.lead")}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <input type="hidden" name="returnTo" value={returnTo} />
          <input type="hidden" name="kind" value={recovery ? "recoveryCode" : "code"} />
          {recovery ? (
            <TextInput
              id="recoveryCode"
              name="recoveryCode"
              label={t("login.code.recoveryLabel")}
              labelClassName="govuk-label govuk-label--s"
              hint={t("login.code.recoveryHint")}
              autoComplete="off"
              spellCheck={false}
              width={20}
              error={error}
              errorPrefix={t("page.errorPrefix")}
            />
          ) : (
            <AppCodeInput t={t} error={error} />
          )}
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("login.code.submit")}
          </button>
        </form>
        <p className="govuk-body">
          <Link className="govuk-link" to={recovery ? here : `${here}&use=recovery`}>
            {t(recovery ? "login.code.useApp" : "login.code.useRecovery")}
          </Link>
        </p>
        <p className="govuk-body">{t("login.code.noCodes")}</p>
      </div>
    </div>
  );
}
