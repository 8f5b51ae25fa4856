import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatDate, formatDateTime, pick, type Translator } from "#app/i18n/i18n.ts";
import { returnPath } from "#app/web/return-form.ts";
import type { QueueKind } from "#app/domain/board.ts";
import { SentenceWithWords } from "#app/components/written-text.tsx";
import type { Language } from "#db/types.ts";

type Names = { name_en: string; name_cy: string };
type Titles = { title_en: string; title_cy: string };
interface ReturnEntry extends Names, Titles {
  collectionCode: string;
  authorityCode: string;
  version: number | null;
  at: string | Date;
  reason: string | null;
  reasonLang: Language | null;
}
interface ReplyEntry extends Names, Titles {
  queryId: number;
  collectionCode: string;
  authorityCode: string;
  label_en: string;
  label_cy: string;
  at: string | Date;
  author: string;
}
interface PastDueEntry extends Titles {
  collectionCode: string;
  due_on: string;
  count: number;
}
export interface QueueView {
  submitted: ReturnEntry[];
  reply: ReplyEntry[];
  amendment: ReturnEntry[];
  changedAfterAcceptance: ReturnEntry[];
  pastDue: PastDueEntry[];
}

/** The coordinator's landing page: what is waiting for them, each entry linking to where they act on it. */
export function DeskQueue({ t, queue, total }: { t: Translator; queue: QueueView; total: number }) {
  const returns = (kind: "submitted" | "amendment" | "changedAfterAcceptance") =>
    queue[kind].map((entry) => ({
      key: `${entry.collectionCode}/${entry.authorityCode}`,
      href: returnPath(entry.collectionCode, entry.authorityCode),
      action: t("queue.action.review"),
      title: `${pick(t.lang, entry, "name")}, ${pick(t.lang, entry, "title")}`,
      detail: (
        <>
          {t("queue.entry.version", { version: entry.version ?? 0, at: formatDateTime(t.lang, new Date(entry.at)) })}
          {entry.reason ? (
            <span className="govuk-!-display-block">
              <SentenceWithWords
                t={t}
                messageKey="queue.entry.reason"
                params={{}}
                name="reason"
                text={entry.reason}
                lang={entry.reasonLang}
              />
            </span>
          ) : null}
        </>
      ),
    }));
  const sections: { kind: QueueKind; entries: { key: string; href: string; action: string; title: string; detail: ReactNode }[] }[] = [
    { kind: "submitted", entries: returns("submitted") },
    {
      kind: "reply",
      entries: queue.reply.map((entry) => ({
        key: String(entry.queryId),
        href: `${returnPath(entry.collectionCode, entry.authorityCode)}#query-${entry.queryId}`,
        action: t("queue.action.reply"),
        title: `${pick(t.lang, entry, "name")}, ${pick(t.lang, entry, "title")}`,
        detail: t("queue.entry.reply", {
          author: entry.author,
          item: pick(t.lang, entry, "label"),
          at: formatDateTime(t.lang, new Date(entry.at)),
        }),
      })),
    },
    { kind: "amendment", entries: returns("amendment") },
    { kind: "changedAfterAcceptance", entries: returns("changedAfterAcceptance") },
    {
      kind: "pastDue",
      entries: queue.pastDue.map((entry) => ({
        key: entry.collectionCode,
        href: `/collections/${entry.collectionCode}/board?status=overdue`,
        action: t("queue.action.chase"),
        title: pick(t.lang, entry, "title"),
        detail: t("queue.entry.pastDue", { count: entry.count, date: formatDate(t.lang, entry.due_on) }),
      })),
    },
  ];
  return (
    <section aria-labelledby="queue-title" className="govuk-!-margin-bottom-8">
      <h2 className="govuk-heading-m" id="queue-title">
        {t("queue.title")}
      </h2>
      <p className="govuk-body">{total === 0 ? t("queue.empty") : t("queue.lead", { count: total })}</p>
      {sections
        .filter((section) => section.entries.length > 0)
        .map((section) => (
          <div key={section.kind} className="govuk-summary-card" id={`queue-${section.kind}`}>
            <div className="govuk-summary-card__title-wrapper">
              <h3 className="govuk-summary-card__title">
                {t(`queue.kind.${section.kind}`)} ({section.entries.length})
              </h3>
            </div>
            <div className="govuk-summary-card__content">
              <ul className="govuk-list app-queue-list">
                {section.entries.map((entry) => (
                  <li key={entry.key}>
                    <Link className="govuk-link govuk-!-font-weight-bold" to={entry.href}>
                      {entry.title}
                      <span className="govuk-visually-hidden">: {entry.action}</span>
                    </Link>
                    <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">{entry.detail}</span>
                  </li>
                ))}
              </ul>
              {section.kind === "submitted"
                ? [...new Map(queue.submitted.map((e) => [e.collectionCode, e])).values()].map((e) => (
                    <p key={e.collectionCode} className="govuk-body">
                      <Link className="govuk-link" to={`/collections/${e.collectionCode}/accept`}>
                        {t("queue.acceptInBulk", { collection: pick(t.lang, e, "title") })}
                      </Link>
                    </p>
                  ))
                : null}
            </div>
          </div>
        ))}
    </section>
  );
}
