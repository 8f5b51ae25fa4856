import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorMessage, ErrorSummary, NotificationBanner, ParagraphLink, TextInput } from "#app/components/govuk.tsx";
import { createApiToken, listApiTokens, tokenOwnerChoices } from "#app/models/api-token.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { TOKEN_LIFETIMES, validateTokenForm, type TokenField } from "#app/schema/api-token.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDateTime, sortForDisplay, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("apiTokens.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/api-tokens._index", "loader", { request, params });
  const admin = may(user, "manageAccounts");
  const [tokens, owners] = await Promise.all([listApiTokens(db, user), admin ? tokenOwnerChoices(db) : Promise.resolve([])]);
  return {
    tokens,
    owners,
    ownScope: user.role === "officer" ? ("returns:write" as const) : ("figures:read" as const),
    csrfToken: user.csrfToken,
    revoked: new URL(request.url).searchParams.get("revoked") === "1",
    now: new Date().toISOString(),
  };
}

type ActionResult =
  | { errors: Partial<Record<TokenField, MessageKey>>; input: Record<TokenField, string> }
  | { created: string; name: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/api-tokens._index", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const input = { name: field(form, "name"), lifetime: field(form, "lifetime"), ownerId: field(form, "ownerId") };
  const checked = validateTokenForm(input);
  if (!checked.ok) return refuseForm<ActionResult>(context, { errors: checked.errors, input });
  const created = await createApiToken(db, user, checked.form);
  if (!created.ok) return refuseForm<ActionResult>(context, { errors: { ownerId: "apiTokens.error.ownerMissing" }, input });
  // Shown once, in this response only: the page never shows it again, and only its hash is kept.
  return { created: created.token, name: checked.form.name } satisfies ActionResult;
}

const LIFETIME_LABEL: Record<(typeof TOKEN_LIFETIMES)[number], MessageKey> = {
  "30": "apiTokens.lifetime.30",
  "90": "apiTokens.lifetime.90",
  "180": "apiTokens.lifetime.180",
  "365": "apiTokens.lifetime.365",
};
const FIELDS: TokenField[] = ["name", "lifetime", "ownerId"];

function statusOf(t: Translator, token: { revokedAt: Date | string | null; expiresAt: Date | string }, now: string) {
  if (token.revokedAt) return <strong className="govuk-tag govuk-tag--grey">{t("apiTokens.status.revoked")}</strong>;
  if (new Date(token.expiresAt) <= new Date(now))
    return <strong className="govuk-tag govuk-tag--yellow">{t("apiTokens.status.expired")}</strong>;
  return <strong className="govuk-tag govuk-tag--green">{t("apiTokens.status.active")}</strong>;
}

export default function ApiTokens() {
  const { tokens, owners, ownScope, csrfToken, revoked, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionResult | undefined;
  const t = useTranslation();
  const errorPrefix = t("page.errorPrefix");
  const errors = actionData && "errors" in actionData ? actionData.errors : {};
  const input = actionData && "input" in actionData ? actionData.input : undefined;
  const summary = FIELDS.filter((f) => errors[f]).map((f) => ({ href: `#${f === "lifetime" ? "lifetime-30" : f}`, text: t(errors[f]!) }));
  const message = (f: TokenField) => (errors[f] ? t(errors[f]!) : undefined);
  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={summary} />
      {actionData && "created" in actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("apiTokens.created.heading", { name: actionData.name })}</p>
          <p className="govuk-body">{t("apiTokens.created.body")}</p>
          <p className="govuk-body">
            <code id="new-token" className="app-token">
              {actionData.created}
            </code>
          </p>
        </NotificationBanner>
      ) : null}
      {revoked ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("apiTokens.revoked")}</p>
        </NotificationBanner>
      ) : null}
      <h1 className="govuk-heading-l">{t("apiTokens.title")}</h1>
      <p className="govuk-body">{t(ownScope === "returns:write" ? "apiTokens.lead.officer" : "apiTokens.lead.reader")}</p>
      <p className="govuk-body">{t("apiTokens.lead.limits")}</p>
      <ParagraphLink to="/api/v1/docs">{t("apiTokens.reference")}</ParagraphLink>

      <h2 className="govuk-heading-m">{t("apiTokens.create.title")}</h2>
      <form method="post" noValidate>
        <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          id="name"
          name="name"
          label={t("apiTokens.name")}
          hint={t("apiTokens.name.hint")}
          error={message("name")}
          errorPrefix={errorPrefix}
          defaultValue={input?.name}
          width={30}
          spellCheck={false}
        />
        <div className={`govuk-form-group${errors.lifetime ? " govuk-form-group--error" : ""}`}>
          <fieldset className="govuk-fieldset" aria-describedby={errors.lifetime ? "lifetime-error" : undefined}>
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{t("apiTokens.lifetime")}</legend>
            {errors.lifetime ? (
              <ErrorMessage id="lifetime-error" prefix={errorPrefix}>
                {message("lifetime")}
              </ErrorMessage>
            ) : null}
            <div className="govuk-radios govuk-radios--small">
              {TOKEN_LIFETIMES.map((days) => (
                <div className="govuk-radios__item" key={days}>
                  <input
                    className="govuk-radios__input"
                    id={`lifetime-${days}`}
                    name="lifetime"
                    type="radio"
                    value={days}
                    defaultChecked={(input?.lifetime ?? "90") === days}
                  />
                  <label className="govuk-label govuk-radios__label" htmlFor={`lifetime-${days}`}>
                    {t(LIFETIME_LABEL[days])}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        {owners.length > 0 ? (
          <div className={`govuk-form-group${errors.ownerId ? " govuk-form-group--error" : ""}`}>
            <label className="govuk-label govuk-label--s" htmlFor="ownerId">
              {t("apiTokens.owner")}
            </label>
            <div id="ownerId-hint" className="govuk-hint">
              {t("apiTokens.owner.hint")}
            </div>
            {errors.ownerId ? (
              <ErrorMessage id="ownerId-error" prefix={errorPrefix}>
                {message("ownerId")}
              </ErrorMessage>
            ) : null}
            <select
              className={`govuk-select${errors.ownerId ? " govuk-select--error" : ""}`}
              id="ownerId"
              name="ownerId"
              defaultValue={input?.ownerId ?? ""}
              aria-describedby={errors.ownerId ? "ownerId-hint ownerId-error" : "ownerId-hint"}
            >
              <option value="">{t("apiTokens.owner.self")}</option>
              {sortForDisplay(
                t.lang,
                owners,
                (o) => (t.lang === "cy" ? o.authorityCy : o.authorityEn),
                (o) => o.name,
              ).map((o) => (
                <option key={o.id} value={String(o.id)}>
                  {t("apiTokens.owner.officer", { name: o.name, authority: t.lang === "cy" ? o.authorityCy : o.authorityEn })}
                </option>
              ))}
            </select>
          </div>
        ) : errors.ownerId ? (
          <p id="ownerId" className="govuk-error-message">
            {message("ownerId")}
          </p>
        ) : null}
        <button type="submit" className="govuk-button" data-module="govuk-button">
          {t("apiTokens.create.submit")}
        </button>
      </form>

      <h2 className="govuk-heading-m">{t("apiTokens.list.title")}</h2>
      {tokens.length === 0 ? (
        <p className="govuk-body">{t("apiTokens.list.none")}</p>
      ) : (
        <table className="govuk-table">
          <caption className="govuk-table__caption govuk-visually-hidden">{t("apiTokens.list.title")}</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                {t("apiTokens.name")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("apiTokens.scope")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("apiTokens.dates")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("apiTokens.status")}
              </th>
              <th scope="col" className="govuk-table__header">
                <span className="govuk-visually-hidden">{t("apiTokens.revoke")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {tokens.map((token) => (
              <tr className="govuk-table__row" key={token.id}>
                <td className="govuk-table__cell">{token.name}</td>
                <td className="govuk-table__cell">
                  {token.scope === "returns:write"
                    ? t("apiTokens.scope.returns", { authority: token.authorityCode ?? "", owner: token.ownerName })
                    : t("apiTokens.scope.figures", { owner: token.ownerName })}
                </td>
                <td className="govuk-table__cell">
                  {t("apiTokens.createdAt", { at: formatDateTime(t.lang, token.createdAt) })}
                  <br />
                  {t("apiTokens.expires", { at: formatDateTime(t.lang, token.expiresAt) })}
                  <br />
                  {token.lastUsedAt ? t("apiTokens.lastUsed", { at: formatDateTime(t.lang, token.lastUsedAt) }) : t("apiTokens.neverUsed")}
                </td>
                <td className="govuk-table__cell">{statusOf(t, token, now)}</td>
                <td className="govuk-table__cell">
                  {token.revokedAt ? null : (
                    <form method="post" action="/api-tokens/revoke">
                      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                      <input type="hidden" name="tokenId" value={String(token.id)} />
                      <button
                        type="submit"
                        className="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                        data-module="govuk-button"
                      >
                        {t("apiTokens.revoke")}
                        <span className="govuk-visually-hidden"> {token.name}</span>
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
