import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorMessage, ErrorSummary } from "#app/components/govuk.tsx";
import { acceptanceCandidates, acceptInBulk } from "#app/models/desk.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDateTime, pick, sortForDisplay } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(
    matches,
    (t) =>
      data ? `${t(data.confirming ? "bulk.confirm.title" : "bulk.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title"),
    { errors: Boolean(data?.noneChosen) },
  );

/** Choosing clean returns (a GET form, so the choice survives in the address), then confirming them. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.accept", "loader", { request, params });
  const candidates = sortForDisplay(user.language, await acceptanceCandidates(db, reader, collection), (c) =>
    pick(user.language, c, "name"),
  );
  const url = new URL(request.url);
  const asked = new Set(url.searchParams.getAll("authority"));
  const chosen = candidates.filter((c) => c.problem === null && asked.has(c.code));
  const wantsConfirm = url.searchParams.get("step") === "confirm";
  return {
    collection: { code: collection.code, title_en: collection.title_en, title_cy: collection.title_cy },
    labels: Object.fromEntries(collection.items.map((i) => [i.code, { label_en: i.label_en, label_cy: i.label_cy }])),
    clean: candidates.filter((c) => c.problem === null),
    notClean: candidates.filter((c) => c.problem !== null),
    chosen,
    confirming: wantsConfirm && chosen.length > 0,
    noneChosen: wantsConfirm && chosen.length === 0,
    csrfToken: user.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.accept", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const codes = [...new Set(form.getAll("authority").filter((v): v is string => typeof v === "string"))];
  if (codes.length === 0) return refuseForm(context, { error: "noneChosen" as const, refused: [] as string[] });
  const result = await acceptInBulk(db, reader, collection, {
    returns: codes.map((authorityCode) => ({ authorityCode, basedOn: Number(field(form, `lockVersion.${authorityCode}`)) })),
    actor: actorOf(user),
  });
  if (!result.ok) {
    return refuseForm(context, { error: "refused" as const, refused: result.refused.map((r) => r.authorityCode) }, 409);
  }
  throw redirect(`/collections/${collection.code}/board?accepted=${result.accepted.length}`);
}

export default function AcceptInBulk() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const names = new Map([...data.clean, ...data.notClean].map((c) => [c.code, pick(t.lang, c, "name")]));
  const refusedNames = (actionData?.refused ?? []).map((code) => names.get(code) ?? code);
  const choiceError = data.noneChosen || actionData?.error === "noneChosen" ? t("bulk.error.noneChosen") : undefined;
  const errors = [
    ...(choiceError ? [{ href: data.clean[0] ? `#authority-${data.clean[0].code}` : "#choose", text: choiceError }] : []),
    ...refusedNames.map((authority) => ({ href: "#choose", text: t("bulk.error.refused", { authority }) })),
  ];
  const confirming = data.confirming && !actionData;
  const version = (c: (typeof data.clean)[number]) =>
    t("bulk.version", { version: c.version ?? 0, at: formatDateTime(t.lang, new Date(c.submittedAt)) });
  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={errors} />
      <span className="govuk-caption-l">{pick(t.lang, data.collection, "title")}</span>
      {confirming ? (
        <>
          <h1 className="govuk-heading-l">{t("bulk.confirm.title")}</h1>
          <p className="govuk-body">{t("bulk.confirm.lead", { count: data.chosen.length })}</p>
          <ul className="govuk-list govuk-list--bullet">
            {data.chosen.map((c) => (
              <li key={c.code}>
                <strong>{pick(t.lang, c, "name")}</strong>: {version(c)}
              </li>
            ))}
          </ul>
          <form method="post">
            <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
            {data.chosen.map((c) => (
              <span key={c.code}>
                <input type="hidden" name="authority" value={c.code} />
                <input type="hidden" name={`lockVersion.${c.code}`} value={c.lockVersion} />
              </span>
            ))}
            <div className="govuk-button-group">
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("bulk.confirm.submit", { count: data.chosen.length })}
              </button>
              <Link
                className="govuk-link"
                to={`?${new URLSearchParams(data.chosen.map((c) => ["authority", c.code] as [string, string])).toString()}`}
              >
                {t("bulk.confirm.change")}
              </Link>
            </div>
          </form>
        </>
      ) : (
        <>
          <h1 className="govuk-heading-l">{t("bulk.title")}</h1>
          <p className="govuk-body">{t("bulk.lead")}</p>
          {data.clean.length === 0 ? (
            <p className="govuk-body" id="choose">
              {t("bulk.none")}
            </p>
          ) : (
            <form method="get" noValidate>
              <input type="hidden" name="step" value="confirm" />
              <div className={`govuk-form-group${choiceError ? " govuk-form-group--error" : ""}`} id="choose">
                <fieldset className="govuk-fieldset" aria-describedby={choiceError ? "choose-error" : undefined}>
                  <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">{t("bulk.choose")}</legend>
                  {choiceError ? (
                    <ErrorMessage id="choose-error" prefix={t("page.errorPrefix")}>
                      {choiceError}
                    </ErrorMessage>
                  ) : null}
                  <div className="govuk-checkboxes" data-module="govuk-checkboxes">
                    {data.clean.map((c) => (
                      <div key={c.code} className="govuk-checkboxes__item">
                        <input
                          className="govuk-checkboxes__input"
                          id={`authority-${c.code}`}
                          name="authority"
                          type="checkbox"
                          value={c.code}
                          defaultChecked={data.chosen.some((x) => x.code === c.code)}
                          aria-describedby={`authority-${c.code}-hint`}
                        />
                        <label className="govuk-label govuk-checkboxes__label" htmlFor={`authority-${c.code}`}>
                          {pick(t.lang, c, "name")}
                        </label>
                        <div id={`authority-${c.code}-hint`} className="govuk-hint govuk-checkboxes__hint">
                          {version(c)}
                        </div>
                      </div>
                    ))}
                  </div>
                </fieldset>
              </div>
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("bulk.continue")}
              </button>
            </form>
          )}
          {data.notClean.length > 0 ? (
            <>
              <h2 className="govuk-heading-m">{t("bulk.notClean.title")}</h2>
              <ul className="govuk-list">
                {data.notClean.map((c) => (
                  <li key={c.code}>
                    <Link className="govuk-link" to={returnPath(data.collection.code, c.code)}>
                      {t("bulk.notClean.review", { authority: pick(t.lang, c, "name") })}
                    </Link>
                    <span className="govuk-body-s govuk-!-display-block">
                      {c.problem === "openQueries"
                        ? t("bulk.notClean.openQueries", { count: c.openQueries })
                        : c.problem === "unexplainedFlags"
                          ? t("bulk.notClean.unexplainedFlags", {
                              items: c.unexplained
                                .map((code) => (data.labels[code] ? pick(t.lang, data.labels[code]!, "label") : code))
                                .join(", "),
                            })
                          : t("bulk.notClean.notSubmitted")}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </>
  );
}
