import { Link } from "@remix-run/react";
import { SummaryList } from "#app/components/govuk.tsx";
import { formatDateTime } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import type { AccountState } from "#app/models/account.server.ts";
import type { Language, Role } from "#db/types.ts";
import { WrittenText } from "#app/components/written-text.tsx";

/** An account as the accounts pages show it (dates as the loader's data carries them). */
export interface AccountView {
  id: number;
  name: string;
  email: string;
  role: Role;
  isAdmin: boolean;
  authority_en: string | null;
  authority_cy: string | null;
  state: AccountState;
  invitationExpiresAt: string | Date | null;
  lastSignedInAt: string | Date | null;
  activeChangedAt: string | Date | null;
  activeChangedBy: string | null;
  activeChangeReason: string | null;
  activeChangeReasonLang: Language | null;
  liveSessions: number;
  hasTwoFactor: boolean;
}

const TAGS = {
  invited: { key: "accounts.status.invited", colour: "govuk-tag--yellow" },
  invitationExpired: { key: "accounts.status.invitationExpired", colour: "govuk-tag--orange" },
  active: { key: "accounts.status.active", colour: "govuk-tag--green" },
  deactivated: { key: "accounts.status.deactivated", colour: "govuk-tag--grey" },
} as const;

/**
 * One person's account as a summary list: it fits a narrow screen where a table of accounts did
 * not (808 px wide at 320). The state row carries the deactivate or reactivate link.
 */
export function AccountRows({ user, isSelf }: { user: AccountView; isSelf: boolean }) {
  const t = useTranslation();
  const tag = TAGS[user.state];
  const hidden = <span className="govuk-visually-hidden"> {user.name}</span>;
  const stateAction =
    user.state === "deactivated" ? (
      <Link className="govuk-link" to={`/admin/users/${user.id}/reactivate`}>
        {t("person.reactivate")}
        {hidden}
      </Link>
    ) : isSelf ? null : (
      <Link className="govuk-link" to={`/admin/users/${user.id}/deactivate`}>
        {t("accounts.deactivate")}
        {hidden}
      </Link>
    );
  const authority = t.lang === "cy" ? user.authority_cy : user.authority_en;
  const change =
    user.activeChangedAt && user.activeChangedBy ? (
      <>
        {t(user.state === "deactivated" ? "accounts.change.deactivated" : "accounts.change.reactivated", {
          name: user.activeChangedBy,
          at: formatDateTime(t.lang, user.activeChangedAt),
        })}
        {/* Accounts deactivated before a reason was asked for have none. */}
        {user.activeChangeReason ? (
          <>
            : <WrittenText t={t} as="q" text={user.activeChangeReason} lang={user.activeChangeReasonLang} />
          </>
        ) : null}
      </>
    ) : null;
  return (
    <SummaryList
      rows={[
        { key: t("accounts.email"), value: <span className="govuk-!-text-break-word">{user.email}</span> },
        {
          key: t("accounts.role"),
          value: (
            <span className="app-with-tag">
              <span>
                {t(`accounts.role.${user.role}`)}
                {authority ? `, ${authority}` : null}
              </span>
              {user.isAdmin ? <strong className="govuk-tag govuk-tag--purple">{t("accounts.admin")}</strong> : null}
            </span>
          ),
        },
        {
          key: t("accounts.status"),
          value: (
            <>
              <strong className={`govuk-tag ${tag.colour}`}>{t(tag.key)}</strong>
              {user.state === "invited" && user.invitationExpiresAt ? (
                <p className="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0">
                  {t("accounts.invitationUntil", { at: formatDateTime(t.lang, user.invitationExpiresAt) })}
                </p>
              ) : null}
            </>
          ),
          action: stateAction,
        },
        ...(change ? [{ key: t("accounts.change"), value: change }] : []),
        {
          key: t("accounts.lastSignedIn"),
          value: user.lastSignedInAt ? formatDateTime(t.lang, user.lastSignedInAt) : t("accounts.neverSignedIn"),
        },
        { key: t("person.sessions"), value: t("person.liveSessions", { count: user.liveSessions }) },
        ...(user.hasTwoFactor
          ? [
              {
                key: t("twoFactor.title"),
                value: <strong className="govuk-tag govuk-tag--blue">{t("accounts.twoFactorOn")}</strong>,
                action: isSelf ? undefined : (
                  <Link className="govuk-link" to={`/admin/users/${user.id}/two-factor`}>
                    {t("accounts.resetTwoFactor")}
                    {hidden}
                  </Link>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}
