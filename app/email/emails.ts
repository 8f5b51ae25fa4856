/**
 * The emails the portal sends, as words: every one built from the message catalogue, in Welsh and
 * English (Welsh first) unless a person chose one language. Queuing and sending them is the
 * outbox's (app/models/outbox.server.ts); what they say is here. No database.
 */
import type { Language } from "#db/types.ts";
import { formatDate, formatDateTime, pick, translator, type MessageKey, type Translator } from "#app/i18n/i18n.ts";

const DIVIDER = "—".repeat(20);

/** One email in both languages: the subjects side by side, the Welsh text, then the English. */
function bilingual(subject: (t: Translator) => string, paragraphs: (t: Translator) => string[]) {
  const cy = translator("cy");
  const en = translator("en");
  return {
    subject: `${subject(cy)} / ${subject(en)}`,
    body: [...paragraphs(cy), DIVIDER, ...paragraphs(en)].join("\n\n"),
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
  return { subject: t("email.passwordReset.subject"), body: [...paragraphs, ...signature(t)].join("\n\n") };
}

export interface ReturnEmailContext {
  name: string;
  collection: { title_en: string; title_cy: string; due_on: string };
  authority: { name_en: string; name_cy: string };
  link: string;
}

export const RETURN_EMAILS = {
  reminder_due: { subject: "email.reminderDue.subject", body: "email.reminderDue.body" },
  reminder_overdue: { subject: "email.reminderOverdue.subject", body: "email.reminderOverdue.body" },
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

interface QueryEmailContext {
  name: string;
  collection: { title_en: string; title_cy: string };
  authority: { name_en: string; name_cy: string };
  item: { label_en: string; label_cy: string };
  /** Who replied, for a reply. */
  author?: string;
  link: string;
}

/**
 * A query about a figure raised, or a reply on its thread: in the recipient's own language,
 * with a link to the thread. The query itself is read on the portal, behind sign-in.
 */
export function queryEmail(
  language: Language,
  kind: "raised" | "reply",
  { name, collection, authority, item, author, link }: QueryEmailContext,
) {
  const t = translator(language);
  const params = {
    collection: pick(t.lang, collection, "title"),
    authority: pick(t.lang, authority, "name"),
    item: pick(t.lang, item, "label"),
    name: author ?? "",
  };
  const [subject, body] =
    kind === "raised"
      ? (["email.queryRaised.subject", "email.queryRaised.body"] as const)
      : (["email.queryReply.subject", "email.queryReply.body"] as const);
  const paragraphs = [t("email.greeting", { name }), t(body, params), t("email.queryLink", { link }), ...signature(t)];
  return { subject: t(subject, params), body: paragraphs.join("\n\n") };
}
