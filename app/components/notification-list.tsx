import { Link } from "@remix-run/react";
import type { NotificationKind, NotificationWords } from "#db/types.ts";
import { notificationSentence } from "#app/email/emails.ts";
import { formatDateTime, type Translator } from "#app/i18n/i18n.ts";

export interface HomeNotification {
  id: string;
  kind: NotificationKind;
  link: string;
  words: NotificationWords;
  createdAt: string;
}

/** "Your notifications" on the home page: the person's recent notifications, each a link to where to act. */
export function NotificationList({ t, notifications }: { t: Translator; notifications: HomeNotification[] }) {
  return (
    <section aria-labelledby="notifications-title" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="notifications-title">
        {t("home.notifications.title")}
      </h2>
      {notifications.length === 0 ? (
        <p className="govuk-body">{t("home.notifications.none")}</p>
      ) : (
        <ul className="govuk-list govuk-list--spaced" data-testid="notifications">
          {notifications.map((n) => (
            <li key={n.id}>
              <Link className="govuk-link" to={n.link}>
                {notificationSentence(t, n.kind, n.words)}
              </Link>
              <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">{formatDateTime(t.lang, n.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="govuk-body-s">
        <Link className="govuk-link" to="/account/notifications">
          {t("home.notifications.settings")}
        </Link>
      </p>
    </section>
  );
}
