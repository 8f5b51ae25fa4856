import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, ParagraphLink } from "#app/components/govuk.tsx";
import { DenominatorSelect } from "#app/components/denominator-select.tsx";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import type { Executor } from "#app/models/audit.server.ts";
import { listCatalogue, setItemDenominators } from "#app/models/catalogue.server.ts";
import { listDenominators } from "#app/models/denominator.server.ts";
import { parseDenominatorChoice } from "#app/schema/data-item.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("itemDenominators.title"));

async function choicesOf(db: Executor) {
  const [items, denominators] = await Promise.all([listCatalogue(db), listDenominators(db)]);
  return {
    items: items.map(({ code, label_en, label_cy, denominator_code }) => ({ code, label_en, label_cy, denominator_code })),
    denominators: denominators.map(({ code, label_en, label_cy }) => ({ code, label_en, label_cy })),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/denominators_.items", "loader", { request, params });
  const saved = new URL(request.url).searchParams.get("saved");
  return { ...(await choicesOf(db)), saved: saved === null ? null : saved.slice(0, 500), csrfToken: user.csrfToken };
}

/** Every item's choice is checked before any is saved: a form with one wrong choice changes nothing. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/denominators_.items", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const { items, denominators } = await choicesOf(db);
  const codes = denominators.map((d) => d.code);
  const choices = new Map<string, string | null>();
  const refused: string[] = [];
  for (const item of items) {
    if (!form.has(item.code)) continue;
    const choice = parseDenominatorChoice(field(form, item.code), codes);
    if (choice.ok) choices.set(item.code, choice.code);
    else refused.push(item.code);
  }
  if (refused.length > 0)
    return refuseForm(context, { refused, input: Object.fromEntries(items.map((i) => [i.code, field(form, i.code)])) });
  const changed = await setItemDenominators(db, choices, user.id);
  throw redirect(`/denominators/items?saved=${encodeURIComponent(changed.join(" "))}`);
}

export default function ItemDenominators() {
  const { items, denominators, saved, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const refused = new Set(actionData?.refused ?? []);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-full">
        <ErrorSummary
          title={t("errorSummary.title")}
          errors={[...refused].map((code) => ({ href: `#denominator-${code}`, text: t("itemForm.error.denominator") }))}
        />
        {saved !== null && !actionData ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">
              {saved === "" ? t("itemDenominators.unchanged") : t("itemDenominators.saved", { codes: saved })}
            </p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("itemDenominators.title")}</h1>
        <p className="govuk-body">{t("itemDenominators.lead")}</p>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
          {items.map((item) => (
            <DenominatorSelect
              key={item.code}
              id={`denominator-${item.code}`}
              name={item.code}
              label={t("itemDenominators.label", { item: pick(t.lang, item, "label") })}
              denominators={denominators}
              defaultValue={actionData?.input[item.code] ?? item.denominator_code ?? ""}
              error={refused.has(item.code) ? t("itemForm.error.denominator") : undefined}
            />
          ))}
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("itemDenominators.submit")}
          </button>
        </form>
        <ParagraphLink to="/denominators">{t("itemDenominators.back")}</ParagraphLink>
      </div>
    </div>
  );
}
