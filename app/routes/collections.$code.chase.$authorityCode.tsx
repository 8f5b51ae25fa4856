import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { findAuthority } from "#app/models/authority.server.ts";
import { lastChase } from "#app/models/board.server.ts";
import { planChase, queueChase } from "#app/models/outbox.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { SummaryList } from "#app/components/govuk.tsx";
import { BODY_SEPARATOR, SUBJECT_SEPARATOR, type EmailPart } from "#app/email/emails.ts";
import { boardReturn } from "#app/domain/board.ts";
import { CSRF_FIELD, field, readForm } from "#app/web/forms.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { formatDateTime, pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) =>
    data
      ? `${t(data.refusal ? "chase.check.titleNone" : "chase.check.title")}: ${pick(t.lang, data.authority, "name")}`
      : t("notFound.title"),
  );

/**
 * Before a chase is sent, the coordinator sees what it will send: to whom, with which subject and
 * words, and when the authority was last chased; or, when it would send nothing, why. The page
 * shows planChase's plan, the one queueChase follows when the button is pressed.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase.$authorityCode", "loader", { request, params });
  const authority = await findAuthority(db, params.authorityCode ?? "");
  if (!authority) throw notFound();
  const returnTo = new URL(request.url).searchParams.get("returnTo");
  const [plan, last] = await Promise.all([
    planChase(db, { collectionId: collection.id, authorityCode: authority.code, actor: actorOf(user), baseUrl: publicBaseUrl() }),
    lastChase(db, collection.id, authority.code),
  ]);
  const emails = plan.ok ? plan.emails : [];
  const recipients = emails
    .filter((e) => !e.sentToday)
    .map((e) => ({ name: e.officer.name, email: e.officer.email, subject: e.email.subject, body: e.email.body, parts: e.parts }));
  // Why the chase would send nothing: the plan's refusal, or every officer chased today already.
  const refusal = plan.ok ? (recipients.length === 0 ? ("chasedToday" as const) : null) : plan.reason;
  if (refusal === "notFound") throw notFound();
  return {
    collection: { code: collection.code, title_en: collection.title_en, title_cy: collection.title_cy },
    authority: { code: authority.code, name_en: authority.name_en, name_cy: authority.name_cy },
    refusal,
    recipients,
    /** Officers chased today already: the chase leaves them out. */
    chasedToday: refusal ? [] : emails.filter((e) => e.sentToday).map((e) => ({ name: e.officer.name, email: e.officer.email })),
    lastChase: last ? { at: last.at, by: last.by } : null,
    /** The board as the coordinator left it (its filters and sort). */
    board: boardReturn(collection.code, returnTo),
    csrfToken: user.csrfToken,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase.$authorityCode", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const authority = await findAuthority(db, params.authorityCode ?? "");
  if (!authority) throw notFound();
  const result = await queueChase(db, {
    collectionId: collection.id,
    authorityCode: authority.code,
    actor: actorOf(user),
    baseUrl: publicBaseUrl(),
  });
  if (result.ok && result.queued > 0) deliverInBackground();
  // Back to the board as the coordinator left it (its filters and sort), saying what was sent.
  throw redirect(
    boardReturn(collection.code, field(form, "returnTo"), { chased: authority.code, ...(result.ok ? {} : { refused: result.reason }) }),
  );
}

/** An email's subject or body as it is sent, each language's part marked with its language. */
function Marked({ parts, text, separator }: { parts: EmailPart[]; text: keyof Omit<EmailPart, "lang">; separator: string }) {
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={part.lang}>
          {i > 0 ? separator : null}
          <span lang={part.lang}>{part[text]}</span>
        </Fragment>
      ))}
    </>
  );
}

/** Officers by name and email address, one a line. */
function People({ people }: { people: { name: string; email: string }[] }) {
  return (
    <ul className="govuk-list govuk-!-text-break-word">
      {people.map((person) => (
        <li key={person.email}>
          {person.name} ({person.email})
        </li>
      ))}
    </ul>
  );
}

export default function ChaseCheck() {
  const data = useLoaderData<typeof loader>();
  const t = useTranslation();
  const authority = pick(t.lang, data.authority, "name");
  const lastChased = data.lastChase
    ? t("board.chasedBy", { at: formatDateTime(t.lang, data.lastChase.at), name: data.lastChase.by ?? t("board.chasedByPortal") })
    : t("chase.check.neverChased");
  return (
    <>
      <Link className="govuk-back-link" to={data.board}>
        {t("chase.check.back")}
      </Link>
      <span className="govuk-caption-l">{pick(t.lang, data.collection, "title")}</span>
      {data.refusal ? (
        <>
          <h1 className="govuk-heading-l">{t("chase.check.titleNone")}</h1>
          <p className="govuk-body" id="chase-refused">
            {t(`chase.check.refused.${data.refusal}`, { authority })}
          </p>
          <SummaryList
            rows={[
              { key: t("collection.authorities.authority"), value: authority },
              { key: t("board.lastChased"), value: lastChased },
            ]}
          />
          <p className="govuk-body">
            <Link className="govuk-link" to={data.board}>
              {t("chase.check.back")}
            </Link>
          </p>
        </>
      ) : (
        <>
          <h1 className="govuk-heading-l">{t("chase.check.title")}</h1>
          <p className="govuk-body">{t("chase.check.lead")}</p>
          <SummaryList
            rows={[
              { key: t("collection.authorities.authority"), value: authority },
              {
                key: t("chase.check.recipients"),
                id: "chase-recipients",
                value: <People people={data.recipients} />,
              },
              ...(data.chasedToday.length > 0
                ? [
                    {
                      key: t("chase.check.chasedToday"),
                      id: "chase-chased-today",
                      value: <People people={data.chasedToday} />,
                    },
                  ]
                : []),
              { key: t("board.lastChased"), value: lastChased },
            ]}
          />
          <h2 className="govuk-heading-m">{t("chase.check.emails")}</h2>
          {data.recipients.map((r, i) => (
            <details key={r.email} className="govuk-details" open={i === 0} data-recipient={r.email}>
              <summary className="govuk-details__summary">
                <span className="govuk-details__summary-text app-break-anywhere">{t("chase.check.emailTo", { email: r.email })}</span>
              </summary>
              <div className="govuk-details__text">
                <SummaryList
                  rows={[
                    { key: t("chase.check.to"), value: <span className="govuk-!-text-break-word">{`${r.name} (${r.email})`}</span> },
                    {
                      key: t("chase.check.subject"),
                      value: (
                        <span className="govuk-!-text-break-word" data-subject>
                          <Marked parts={r.parts} text="subject" separator={SUBJECT_SEPARATOR} />
                        </span>
                      ),
                    },
                  ]}
                />
                <div className="govuk-inset-text app-preserve-lines govuk-!-text-break-word" data-body>
                  <Marked parts={r.parts} text="body" separator={BODY_SEPARATOR} />
                </div>
              </div>
            </details>
          ))}
          <form method="post">
            <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
            <input type="hidden" name="returnTo" value={data.board} />
            <div className="govuk-button-group">
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("chase.check.send")}
              </button>
              <Link className="govuk-link" to={data.board}>
                {t("common.cancel")}
              </Link>
            </div>
          </form>
        </>
      )}
    </>
  );
}
