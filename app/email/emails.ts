/**
 * The emails the portal sends, as words: every one built from the message catalogue, in Welsh and
 * English (Welsh first) unless a person chose one language. Queuing and sending them is the
 * outbox's (app/models/outbox.server.ts); what they say is here. No database.
 */
import type { Language, NotificationKind, NotificationWords } from "#db/types.ts";
import { formatDate, formatDateTime, pick, translator, type MessageKey, type Translator } from "#app/i18n/i18n.ts";

/** What stands between the languages of an email in both: in its subject, and in its body. */
export const SUBJECT_SEPARATOR = " / ";
export const BODY_SEPARATOR = `\n\n${"—".repeat(20)}\n\n`;

/** One language's part of an email: a page showing the email marks each part with its language. */
export interface EmailPart {
  lang: Language;
  subject: string;
  body: string;
}

/**
 * One email in both languages: the subjects side by side, the Welsh text, then the English. Its
 * parts, joined by the separators, are its subject and body.
 */
function bilingual(subject: (t: Translator) => string, paragraphs: (t: Translator) => string[]) {
  const parts: EmailPart[] = (["cy", "en"] as const).map((lang) => {
    const t = translator(lang);
    return { lang, subject: subject(t), body: paragraphs(t).join("\n\n") };
  });
  return {
    subject: parts.map((part) => part.subject).join(SUBJECT_SEPARATOR),
    body: parts.map((part) => part.body).join(BODY_SEPARATOR),
    language: null,
    parts,
  };
}

const signature = (t: Translator) => [t("email.signOff"), t("email.automatic")];

export function invitationEmail({ name, link, expiresAt }: { name: string; link: string; expiresAt: Date }) {
  return bilingual(
    (t) => t("email.invitation.subject"),
    (t) => [
      t("email.greeting", { name }),
      t("email.invitation.body", { date: formatDateTime(t.lang, expiresAt) }),
      t("email.invitation.link", { link }),
      t("email.invitation.ignore"),
      ...signature(t),
    ],
  );
}

/**
 * The forgotten-password email, in the account's language only: a person who asked for it in one
 * language reads it in that one. With no link, for an invitee: where their invitation is.
 */
export function passwordResetEmail(language: Language, { name, link, expiresAt }: { name: string; link: string | null; expiresAt: Date }) {
  const t = translator(language);
  const paragraphs = link
    ? [
        t("email.greeting", { name }),
        t("email.passwordReset.body", { time: formatDateTime(t.lang, expiresAt) }),
        t("email.passwordReset.link", { link }),
        t("email.passwordReset.ignore"),
      ]
    : [t("email.greeting", { name }), t("email.passwordReset.invitee")];
  return { subject: t("email.passwordReset.subject"), body: [...paragraphs, ...signature(t)].join("\n\n"), language };
}

export interface ReturnEmailContext {
  name: string;
  collection: { title_en: string; title_cy: string; due_on: string };
  authority: { name_en: string; name_cy: string };
  link: string;
}

export const RETURN_EMAILS = {
  chase: { subject: "email.chase.subject", body: "email.chase.body" },
} as const satisfies Record<string, { subject: MessageKey; body: MessageKey }>;

export function returnEmail(kind: keyof typeof RETURN_EMAILS, { name, collection, authority, link }: ReturnEmailContext) {
  const params = (t: Translator) => ({
    collection: pick(t.lang, collection, "title"),
    authority: pick(t.lang, authority, "name"),
    date: formatDate(t.lang, collection.due_on),
  });
  return bilingual(
    (t) => t(RETURN_EMAILS[kind].subject, params(t)),
    (t) => [t("email.greeting", { name }), t(RETURN_EMAILS[kind].body, params(t)), t("email.returnLink", { link }), ...signature(t)],
  );
}

/** The messages of each kind of notification: its sentence (the subject, and its line on the home page), body and link line. */
export const NOTIFICATION_MESSAGES = {
  query_raised: { subject: "notification.query_raised.subject", body: "notification.query_raised.body", link: "email.queryLink" },
  query_reply: { subject: "notification.query_reply.subject", body: "notification.query_reply.body", link: "email.queryLink" },
  return_accepted: { subject: "notification.return_accepted.subject", body: "notification.return_accepted.body", link: "email.returnLink" },
  round_opened: { subject: "notification.round_opened.subject", body: "notification.round_opened.body", link: "email.returnLink" },
  return_submitted: {
    subject: "notification.return_submitted.subject",
    body: "notification.return_submitted.body",
    link: "email.reviewLink",
  },
  amendment_submitted: {
    subject: "notification.amendment_submitted.subject",
    body: "notification.amendment_submitted.body",
    link: "email.reviewLink",
  },
  changed_after_acceptance: {
    subject: "notification.changed_after_acceptance.subject",
    body: "notification.changed_after_acceptance.body",
    link: "email.reviewLink",
  },
  reminder_due: { subject: "email.reminderDue.subject", body: "email.reminderDue.body", link: "email.returnLink" },
  reminder_overdue: { subject: "email.reminderOverdue.subject", body: "email.reminderOverdue.body", link: "email.returnLink" },
} as const satisfies Record<NotificationKind, { subject: MessageKey; body: MessageKey; link: MessageKey }>;

function notificationParams(lang: Language, words: NotificationWords) {
  return {
    collection: words.collection[lang],
    authority: words.authority?.[lang] ?? "",
    item: words.item?.[lang] ?? "",
    name: words.author ?? "",
    reason: words.reason ?? "",
    date: words.due ? formatDate(lang, words.due) : "",
  };
}

/** What a notification says in one line: its email's subject, and its entry on the home page and in a digest. */
export function notificationSentence(t: Translator, kind: NotificationKind, words: NotificationWords) {
  return t(NOTIFICATION_MESSAGES[kind].subject, notificationParams(t.lang, words));
}

/**
 * One notification as an email, in the recipient's own language, with a link to the place to act.
 * What it is about (a query, a return) is read on the portal, behind sign-in.
 */
export function notificationEmail(
  language: Language,
  kind: NotificationKind,
  { name, words, link }: { name: string; words: NotificationWords; link: string },
) {
  const t = translator(language);
  const messages = NOTIFICATION_MESSAGES[kind];
  const params = notificationParams(language, words);
  const paragraphs = [t("email.greeting", { name }), t(messages.body, params), t(messages.link, { link }), ...signature(t)];
  return { subject: t(messages.subject, params), body: paragraphs.join("\n\n"), language };
}

/** A person's daily digest: one line and link per notification since the last one, in their language. */
export function digestEmail(
  language: Language,
  {
    name,
    notifications,
    settingsLink,
  }: { name: string; notifications: { kind: NotificationKind; words: NotificationWords; link: string }[]; settingsLink: string },
) {
  const t = translator(language);
  const lines = notifications.map((n) => `• ${notificationSentence(t, n.kind, n.words)}\n  ${n.link}`);
  const paragraphs = [
    t("email.greeting", { name }),
    t("email.digest.intro"),
    ...lines,
    t("email.digest.settings", { link: settingsLink }),
    ...signature(t),
  ];
  return { subject: t("email.digest.subject", { count: notifications.length }), body: paragraphs.join("\n\n"), language };
}
