import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { ErrorMessage, ErrorSummary, Radio, RadioGroup, TextInput } from "#app/components/govuk.tsx";
import { inviteUser, type InviteErrors, type InviteField } from "#app/models/account.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { INVITATION_FIELDS, InvitationSchema } from "#app/schema/forms.ts";
import { pick, sortForDisplay } from "#app/i18n/i18n.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("invite.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users.new", "loader", { request, params });
  return { authorities: await listAuthorities(db), csrfToken: admin.csrfToken };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users.new", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(admin, form);
  // The authority list sits under the officer choice: for any other role a leftover choice is ignored.
  if (field(form, "role") !== "officer") form.delete("authorityCode");
  const parsed = parseForm(form, InvitationSchema, INVITATION_FIELDS);
  if (!parsed.ok) return refuseForm(context, { errors: parsed.errors as InviteErrors, input: parsed.input, invitedUserId: null });
  const result = await inviteUser(db, parsed.data, { userId: admin.id, isAdmin: admin.isAdmin }, { baseUrl: publicBaseUrl() });
  if (!result.ok) return refuseForm(context, { errors: result.errors, input: parsed.input, invitedUserId: result.invitedUserId ?? null });
  deliverInBackground();
  throw redirect("/admin/users?done=invited");
}

const FIELDS: InviteField[] = ["email", "name", "role", "authorityCode", "language"];

export default function InviteUser() {
  const { authorities, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const errors: InviteErrors = actionData?.errors ?? {};
  const input = actionData?.input;
  const errorPrefix = t("page.errorPrefix");
  const message = (name: InviteField) => (errors[name] ? t(errors[name]) : undefined);
  // Each error links to the first control of its field: the input, the first radio, the list.
  const summary = FIELDS.filter((name) => errors[name]).map((name) => ({ href: `#${name}`, text: t(errors[name]!) }));
  // The authority list shows for officers only, revealed by React rather than govuk-frontend's
  // radios script, whose aria-expanded on radio inputs ARIA does not allow (see value-fieldset.tsx).
  const [role, setRole] = useState(input?.role);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <Link to="/admin/users" className="govuk-back-link">
          {t("common.back")}
        </Link>
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        {actionData?.invitedUserId ? (
          <p className="govuk-body">
            <Link to={`/admin/users/${actionData.invitedUserId}`} className="govuk-link">
              {t("invite.openInvited", { email: input?.email ?? "" })}
            </Link>
          </p>
        ) : null}
        <h1 className="govuk-heading-l">{t("invite.title")}</h1>
        <p className="govuk-body">{t("invite.lead")}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
          <TextInput
            id="email"
            name="email"
            type="email"
            label={t("invite.email")}
            labelClassName="govuk-label govuk-label--m"
            autoComplete="off"
            spellCheck={false}
            defaultValue={input?.email}
            error={message("email")}
            errorPrefix={errorPrefix}
          />
          <TextInput
            id="name"
            name="name"
            label={t("invite.name")}
            labelClassName="govuk-label govuk-label--m"
            autoComplete="off"
            spellCheck={false}
            defaultValue={input?.name}
            error={message("name")}
            errorPrefix={errorPrefix}
          />
          <RadioGroup name="role" legend={t("invite.role")} error={message("role")} errorPrefix={errorPrefix}>
            <Radio
              id="role"
              name="role"
              value="officer"
              label={t("accounts.role.officer")}
              hint={t("accounts.role.officerHint")}
              checked={role === "officer"}
              onChange={() => setRole("officer")}
              controls="conditional-role-officer"
            />
            <div
              className={`govuk-radios__conditional${role === "officer" ? "" : " govuk-radios__conditional--hidden"}`}
              id="conditional-role-officer"
            >
              <div className={`govuk-form-group${errors.authorityCode ? " govuk-form-group--error" : ""}`}>
                <label className="govuk-label" htmlFor="authorityCode">
                  {t("invite.authority")}
                </label>
                {errors.authorityCode ? (
                  <ErrorMessage id="authorityCode-error" prefix={errorPrefix}>
                    {t(errors.authorityCode)}
                  </ErrorMessage>
                ) : null}
                <select
                  className={`govuk-select${errors.authorityCode ? " govuk-select--error" : ""}`}
                  id="authorityCode"
                  name="authorityCode"
                  defaultValue={input?.authorityCode ?? ""}
                  aria-describedby={errors.authorityCode ? "authorityCode-error" : undefined}
                >
                  <option value="">{t("invite.authorityChoose")}</option>
                  {sortForDisplay(t.lang, authorities, (authority) => pick(t.lang, authority, "name")).map((authority) => (
                    <option key={authority.code} value={authority.code}>
                      {pick(t.lang, authority, "name")}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <Radio
              id="role-coordinator"
              name="role"
              value="coordinator"
              label={t("accounts.role.coordinator")}
              hint={t("accounts.role.coordinatorHint")}
              checked={role === "coordinator"}
              onChange={() => setRole("coordinator")}
            />
            <Radio
              id="role-analyst"
              name="role"
              value="analyst"
              label={t("accounts.role.analyst")}
              hint={t("accounts.role.analystHint")}
              checked={role === "analyst"}
              onChange={() => setRole("analyst")}
            />
          </RadioGroup>
          <RadioGroup
            name="language"
            legend={t("invite.language")}
            hint={t("invite.languageHint")}
            error={message("language")}
            errorPrefix={errorPrefix}
            inline
          >
            <Radio id="language" name="language" value="en" label={t("language.en")} checked={input?.language === "en"} />
            <Radio id="language-cy" name="language" value="cy" label={t("language.cy")} checked={input?.language === "cy"} />
          </RadioGroup>
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("invite.submit")}
          </button>
        </form>
      </div>
    </div>
  );
}
