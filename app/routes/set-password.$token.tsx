import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, ParagraphLink, TextInput } from "#app/components/govuk.tsx";
import {
  findInvitation,
  passwordProblem,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  setPasswordWithInvitation,
} from "#app/models/account.server.ts";
import { anonymousCsrf, requireAnonymousCsrf } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { languageCookie, languageOf } from "#app/i18n/language.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import type { LinkPurpose } from "#db/types.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

// The same page for an invitation and a forgotten password: only the words differ.
const WORDS = {
  invitation: {
    form: "setPassword.title",
    lead: "setPassword.lead",
    submit: "setPassword.submit",
    done: "setPassword.done.title",
    doneBody: "setPassword.done.body",
    invalidBody: "setPassword.invalid.body",
  },
  password_reset: {
    form: "setPassword.reset.title",
    lead: "setPassword.reset.lead",
    submit: "setPassword.reset.submit",
    done: "setPassword.reset.done.title",
    doneBody: "setPassword.reset.done.body",
    invalidBody: "setPassword.reset.invalid.body",
  },
} as const satisfies Record<LinkPurpose, Record<string, MessageKey>>;

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) =>
    t(data?.page === "form" || data?.page === "done" ? WORDS[data.purpose][data.page] : "setPassword.invalid.title"),
  );

// The token is a secret: keep it out of the Referer header of any link followed from this page.
export const headers = () => ({ "Referrer-Policy": "no-referrer" });

// Read by the component: a .server module's exports do not exist in the browser build.
const LIMITS = { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invitation = await findInvitation(await getDb(), params.token ?? "");
  const csrf = await anonymousCsrf(request);
  const headers = csrf.setCookie ? { "Set-Cookie": csrf.setCookie } : undefined;
  const purpose: LinkPurpose = invitation?.purpose ?? "invitation";
  if (invitation?.usable) {
    return data(
      { page: "form" as const, purpose, email: invitation.email, csrf: csrf.token, limits: LIMITS, tokensRevoked: false },
      { headers },
    );
  }
  // Where a successful form sends the person: only someone holding the link can see it.
  const done = new URL(request.url).searchParams.get("done");
  if (invitation?.used && done !== null) {
    const tokensRevoked = done === "tokens";
    return data({ page: "done" as const, purpose, email: null, csrf: csrf.token, limits: LIMITS, tokensRevoked }, { headers });
  }
  // An unknown, used, replaced or expired link: a page that says so, with 404, never an error.
  return data(
    { page: "invalid" as const, purpose, email: null, csrf: csrf.token, limits: LIMITS, tokensRevoked: false },
    { status: 404, headers },
  );
}

type FieldErrors = Partial<Record<"password" | "confirm", MessageKey>>;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  await requireAnonymousCsrf(request, form);
  const token = params.token ?? "";
  const password = field(form, "password");
  const confirm = field(form, "confirm");
  const errors: FieldErrors = {};
  const problem = passwordProblem(password);
  if (problem) errors.password = problem;
  if (!confirm) errors.confirm = "setPassword.error.confirmMissing";
  else if (password !== confirm) errors.confirm = "setPassword.error.mismatch";
  if (Object.keys(errors).length > 0) return refuseForm(context, { errors });

  const db = await getDb();
  const result = await setPasswordWithInvitation(db, token, password);
  if (result.ok) {
    // Signing in, next, follows the account's language in this browser too, unless it has chosen one.
    const language = languageOf(request, { cookieOnly: true }) ? null : (await findInvitation(db, token))?.language;
    const headers = language ? { "Set-Cookie": languageCookie(language) } : undefined;
    // The confirmation says so when the account's API tokens were revoked with the old password.
    throw redirect(`/set-password/${encodeURIComponent(token)}?done${result.tokensRevoked > 0 ? "=tokens" : ""}`, { headers });
  }
  // The loader, run after this, shows the link is no longer usable.
  if (result.reason === "invalidLink") return data({ errors: {} as FieldErrors }, { status: 404 });
  return refuseForm(context, { errors: { password: result.problem } as FieldErrors });
}

export default function SetPassword() {
  const { page, purpose, email, csrf, limits, tokensRevoked } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const words = WORDS[purpose];

  if (page === "done") {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <div className="govuk-panel govuk-panel--confirmation">
            <h1 className="govuk-panel__title">{t(words.done)}</h1>
          </div>
          <p className="govuk-body">{t(words.doneBody)}</p>
          {tokensRevoked ? (
            <p className="govuk-body" id="tokens-revoked">
              {t("setPassword.done.tokensRevoked")}
            </p>
          ) : null}
          <Link to="/login" className="govuk-button" role="button" draggable={false} data-module="govuk-button">
            {t("login.title")}
          </Link>
        </div>
      </div>
    );
  }

  if (page === "invalid" || !email) {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <h1 className="govuk-heading-l">{t("setPassword.invalid.title")}</h1>
          <p className="govuk-body">{t(words.invalidBody)}</p>
          {purpose === "password_reset" ? <ParagraphLink to="/forgot-password">{t("forgot.sent.again")}</ParagraphLink> : null}
          <ParagraphLink to="/login">{t("login.title")}</ParagraphLink>
        </div>
      </div>
    );
  }

  const errors = actionData?.errors ?? {};
  const errorPrefix = t("page.errorPrefix");
  const summary = (["password", "confirm"] as const)
    .filter((name) => errors[name])
    .map((name) => ({ href: `#${name}`, text: t(errors[name]!, limits) }));
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        <h1 className="govuk-heading-l">{t(words.form)}</h1>
        <p className="govuk-body">{t(words.lead, { email })}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          {/* For password managers: the account this password belongs to. */}
          <input type="hidden" name="username" autoComplete="username" value={email} />
          <TextInput
            id="password"
            name="password"
            type="password"
            label={t("setPassword.password")}
            labelClassName="govuk-label govuk-label--m"
            hint={t("setPassword.passwordHint", limits)}
            autoComplete="new-password"
            error={errors.password ? t(errors.password, limits) : undefined}
            errorPrefix={errorPrefix}
          />
          <TextInput
            id="confirm"
            name="confirm"
            type="password"
            label={t("setPassword.confirm")}
            labelClassName="govuk-label govuk-label--m"
            autoComplete="new-password"
            error={errors.confirm ? t(errors.confirm) : undefined}
            errorPrefix={errorPrefix}
          />
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t(words.submit)}
          </button>
        </form>
      </div>
    </div>
  );
}
