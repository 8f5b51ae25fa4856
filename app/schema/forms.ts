/**
 * The forms a person fills in besides the return itself: an invitation, a forgotten password, the
 * sign-off declaration, an amendment's reason and an admin's reason for changing an account (query
 * messages are in messages.ts). Each field's errors are message
 * keys; routes read them through parseForm, and a model that must refuse bad input whoever sends
 * it (inviteUser) checks the same schema again. Isomorphic: no server imports.
 */
import { z } from "zod";
import { LANGUAGES, ROLES } from "#db/types.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";

const key = (k: MessageKey) => k;

/** A zod error as each field's first message key, the way forms show them. */
export function fieldErrors(error: z.ZodError): Partial<Record<string, MessageKey>> {
  const errors: Partial<Record<string, MessageKey>> = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? "")] ??= issue.message as MessageKey;
  return errors;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An email address as typed, trimmed and in lower case. Too long an address stops the checks: the
 * pattern takes time quadratic in the length of a line of dots, and a form may carry 256 KB.
 */
const emailAddress = (missing: MessageKey) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .min(1, key(missing))
    .max(254, { message: key("account.error.emailTooLong"), abort: true })
    .regex(EMAIL_PATTERN, key("account.error.emailInvalid"));

/** A new account: an officer belongs to an authority, and nobody else does. */
export const InvitationSchema = z
  .object({
    email: emailAddress("account.error.emailMissing"),
    name: z.string().trim().min(1, key("account.error.nameMissing")).max(200, key("account.error.nameTooLong")),
    role: z.enum(ROLES, { message: key("account.error.roleMissing") }),
    authorityCode: z
      .string()
      .trim()
      .transform((code) => code || null),
    language: z.enum(LANGUAGES, { message: key("account.error.languageMissing") }),
  })
  .superRefine(
    (invitation, ctx) => {
      const path = ["authorityCode"];
      if (invitation.role === "officer" && !invitation.authorityCode) {
        ctx.addIssue({ code: "custom", path, message: key("account.error.authorityMissing") });
      } else if (invitation.role !== "officer" && (ROLES as readonly string[]).includes(invitation.role) && invitation.authorityCode) {
        ctx.addIssue({ code: "custom", path, message: key("account.error.authorityNotForRole") });
      }
    },
    { when: () => true },
  );
/** An invitation as any caller gives it: no authority may be given as null. */
export type InvitationInput = Omit<z.input<typeof InvitationSchema>, "authorityCode"> & { authorityCode: string | null };
export type Invitation = z.output<typeof InvitationSchema>;
export const INVITATION_FIELDS = ["email", "name", "role", "authorityCode", "language"] as const;

/** Whom to send a link to choose a new password. */
export const ForgotPasswordSchema = z.object({ email: emailAddress("forgot.error.emailMissing") });

/** The declaration a return is submitted with. */
export const SignOffSchema = z.object({
  signedOffName: z.string().trim().min(1, key("check.error.nameMissing")).max(200, key("check.error.nameTooLong")),
  signedOffRole: z.string().trim().min(1, key("check.error.roleMissing")).max(200, key("check.error.roleTooLong")),
});

/** Why a submitted return is reopened: the next version carries it. */
export const AmendmentSchema = z.object({
  reason: z.string().trim().min(1, key("amend.error.reasonMissing")).max(1000, key("amend.error.reasonTooLong")),
});

/** The longest reason an admin may give for changing an account, in characters as a person counts them. */
export const REASON_MAX_LENGTH = 1000;

/**
 * Why an admin deactivates or reactivates an account, or resets its second factor: required,
 * kept in the audit log. One check and one pair of messages for the three pages.
 */
export const AccountReasonSchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, key("accountReason.error.missing"))
    // Counted as PostgreSQL's length() counts (app_user.active_change_reason), not in UTF-16 units.
    .refine((reason) => [...reason].length <= REASON_MAX_LENGTH, key("accountReason.error.tooLong")),
});

/** A reason as typed, checked: trimmed, or the message key saying what is wrong with it. */
export function checkAccountReason(typed: string): { ok: true; reason: string } | { ok: false; error: MessageKey } {
  const parsed = AccountReasonSchema.safeParse({ reason: typed });
  if (parsed.success) return { ok: true, reason: parsed.data.reason };
  return { ok: false, error: fieldErrors(parsed.error).reason ?? key("accountReason.error.missing") };
}
