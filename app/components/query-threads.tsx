import { Textarea } from "#app/components/govuk.tsx";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { formatDateTime, type Translator } from "#app/i18n/i18n.ts";
import { WrittenText } from "#app/components/written-text.tsx";
import type { Language } from "#db/types.ts";

export interface ThreadView {
  id: number;
  item_code: string;
  status: "open" | "resolved";
  messages: { id: number; at: string | Date; body: string; lang: Language | null; author_name: string }[];
}

/**
 * The coordinator's queries on a return and the replies, with a reply box (and, for coordinators,
 * resolve). Each thread's form posts to the thread's own address (`actionOf`).
 */
export function QueryThreads({
  t,
  threads,
  labels,
  csrfToken,
  mayReply,
  mayResolve,
  actionOf,
  error,
}: {
  t: Translator;
  threads: ThreadView[];
  labels: Record<string, string>;
  csrfToken: string;
  mayReply: boolean;
  mayResolve: boolean;
  actionOf: (queryId: number) => string;
  error?: { queryId: number; message: string; typed: string };
}) {
  if (threads.length === 0) return null;
  return (
    <section aria-labelledby="queries-title" className="govuk-!-margin-bottom-8">
      <h2 className="govuk-heading-m" id="queries-title">
        {t("queries.title")}
      </h2>
      {threads.map((thread) => (
        <div key={thread.id} className="govuk-summary-card" id={`query-${thread.id}`}>
          <div className="govuk-summary-card__title-wrapper">
            <h3 className="govuk-summary-card__title">{labels[thread.item_code] ?? thread.item_code}</h3>
            <strong className={`govuk-tag ${thread.status === "open" ? "govuk-tag--orange" : "govuk-tag--green"}`}>
              {t(`queries.status.${thread.status}`)}
            </strong>
          </div>
          <div className="govuk-summary-card__content">
            {thread.messages.map((message) => (
              <div key={message.id} className="govuk-!-margin-bottom-4">
                <p className="govuk-body-s govuk-!-margin-bottom-1">
                  {t("queries.byline", { name: message.author_name, at: formatDateTime(t.lang, message.at) })}
                </p>
                <WrittenText t={t} as="p" className="govuk-body app-preserve-lines" text={message.body} lang={message.lang} />
              </div>
            ))}
            {thread.status === "open" && (mayReply || mayResolve) ? (
              <form method="post" action={actionOf(thread.id)} noValidate>
                <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                <Textarea
                  id={`query-${thread.id}-message`}
                  name="message"
                  label={t("queries.reply")}
                  labelClassName="govuk-label govuk-label--s"
                  defaultValue={error?.queryId === thread.id ? error.typed : undefined}
                  error={error?.queryId === thread.id ? error.message : undefined}
                  errorPrefix={t("page.errorPrefix")}
                />
                <div className="govuk-button-group">
                  {mayReply ? (
                    <button
                      type="submit"
                      name="intent"
                      value="reply"
                      className="govuk-button govuk-button--secondary"
                      data-module="govuk-button"
                    >
                      {t("queries.sendReply")}
                    </button>
                  ) : null}
                  {mayResolve ? (
                    <button
                      type="submit"
                      name="intent"
                      value="resolve"
                      className="govuk-button govuk-button--secondary"
                      data-module="govuk-button"
                    >
                      {t("queries.resolve")}
                    </button>
                  ) : null}
                </div>
              </form>
            ) : null}
          </div>
        </div>
      ))}
    </section>
  );
}
