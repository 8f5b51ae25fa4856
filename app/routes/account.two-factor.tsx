import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { encode } from "uqr";
import { ErrorSummary, NotificationBanner, WarningText } from "#app/components/govuk.tsx";
import { confirmSetUp, setUpState, turnOffTwoFactor } from "#app/models/two-factor.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { mustHaveTwoFactor } from "#app/auth/policy.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { safeReturnPath } from "#app/i18n/language.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { AppCodeInput } from "#app/components/two-factor-code.tsx";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("twoFactor.title"));

/** The QR code as one SVG path of its dark modules, drawn by the page: no image to fetch, nothing for a CSP to refuse. */
function qrPath(text: string) {
  const { size, data } = encode(text, { ecc: "M", border: 0 });
  let path = "";
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) if (dark) path += `M${x} ${y}h1v1h-1z`;
  }
  return { size, path };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/account.two-factor", "loader", { request, params });
  const state = await setUpState(db, user);
  return {
    state,
    qr: state.uri ? qrPath(state.uri) : null,
    required: mustHaveTwoFactor(user),
    returnTo: safeReturnPath(new URL(request.url).searchParams.get("returnTo")),
    turnedOff: new URL(request.url).searchParams.get("done") === "off",
    csrfToken: user.csrfToken,
  };
}

const TURN_OFF_REFUSALS = {
  invalid: "login.code.error.invalid",
  throttled: "login.code.error.throttledHere",
  required: "twoFactor.off.required",
  notSetUp: "twoFactor.off.notSetUp",
} as const satisfies Record<string, MessageKey>;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/account.two-factor", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const turningOff = field(form, "intent") === "turnOff";
  const code = field(form, "code").replace(/\s+/g, "");
  const refuse = (error: MessageKey) => refuseForm(context, { error, turningOff, recoveryCodes: null });
  if (!code) return refuse("login.code.error.missing");
  if (!/^\d{6}$/.test(code)) return refuse("login.code.error.format");
  if (turningOff) {
    const turnedOff = await turnOffTwoFactor(db, user, code);
    if (!turnedOff.ok) return refuse(TURN_OFF_REFUSALS[turnedOff.reason]);
    throw redirect("/account/two-factor?done=off");
  }
  const result = await confirmSetUp(db, user, code);
  if (!result.ok && result.reason === "invalid") return refuse("login.code.error.invalid");
  return { error: null, turningOff, recoveryCodes: result.ok ? result.recoveryCodes : null };
}

export default function TwoFactor() {
  const { state, qr, required, returnTo, turnedOff, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const error = actionData?.error ? t(actionData.error) : undefined;

  if (actionData?.recoveryCodes) {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t("twoFactor.done")}</p>
          </NotificationBanner>
          <h1 className="govuk-heading-l">{t("twoFactor.codes.title")}</h1>
          <p className="govuk-body">{t("twoFactor.codes.body")}</p>
          <WarningText assistive={t("common.warning")}>{t("twoFactor.codes.warning")}</WarningText>
          <ul className="govuk-list app-recovery-codes" aria-label={t("twoFactor.codes.title")}>
            {actionData.recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <Link to={returnTo} className="govuk-button" role="button" draggable={false} data-module="govuk-button">
            {t("twoFactor.continue")}
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: "#code", text: error }] : []} />
        {turnedOff && !state.confirmed && !actionData ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t("twoFactor.off.done")}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("twoFactor.title")}</h1>
        {state.confirmed ? (
          <>
            <p className="govuk-body">{t("twoFactor.on")}</p>
            <p className="govuk-body">{t("twoFactor.recoveryLeft", { count: state.recoveryCodesLeft })}</p>
            <p className="govuk-body">{t("twoFactor.lost")}</p>
            <p className="govuk-body">{t("twoFactor.noRemember")}</p>
            {required ? null : (
              <>
                <h2 className="govuk-heading-m">{t("twoFactor.off.title")}</h2>
                <p className="govuk-body">{t("twoFactor.off.body")}</p>
                <form method="post" noValidate>
                  <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                  <input type="hidden" name="intent" value="turnOff" />
                  <AppCodeInput t={t} error={error} />
                  <button type="submit" className="govuk-button govuk-button--warning" data-module="govuk-button">
                    {t("twoFactor.off.submit")}
                  </button>
                </form>
              </>
            )}
          </>
        ) : (
          <>
            {required ? (
              <div className="govuk-inset-text">{t("twoFactor.required")}</div>
            ) : (
              <p className="govuk-body">{t("twoFactor.optional")}</p>
            )}
            <p className="govuk-body">{t("twoFactor.noRemember")}</p>
            <h2 className="govuk-heading-m">{t("twoFactor.step1")}</h2>
            <p className="govuk-body">{t("twoFactor.scan")}</p>
            {qr ? (
              <svg
                className="app-qr-code"
                role="img"
                aria-labelledby="qr-title"
                viewBox={`-4 -4 ${qr.size + 8} ${qr.size + 8}`}
                width="200"
                height="200"
                shapeRendering="crispEdges"
              >
                <title id="qr-title">{t("twoFactor.qrTitle")}</title>
                <rect x="-4" y="-4" width={qr.size + 8} height={qr.size + 8} fill="#ffffff" />
                <path d={qr.path} fill="#0b0c0c" />
              </svg>
            ) : null}
            <details className="govuk-details">
              <summary className="govuk-details__summary">
                <span className="govuk-details__summary-text">{t("twoFactor.cannotScan")}</span>
              </summary>
              <div className="govuk-details__text">
                <p className="govuk-body">{t("twoFactor.enterKey")}</p>
                <p className="govuk-body">
                  <code className="app-secret" data-testid="two-factor-secret">
                    {state.secret}
                  </code>
                </p>
              </div>
            </details>
            <h2 className="govuk-heading-m">{t("twoFactor.step2")}</h2>
            <form method="post" noValidate>
              <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
              <AppCodeInput t={t} error={error} />
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("twoFactor.submit")}
              </button>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
