/**
 * The form that makes an API token (issue 18): a name, how long it lives (a year at most) and, for
 * an admin making one for an authority's system, the officer whose rights it uses. Isomorphic.
 */
import { z } from "zod";
import type { MessageKey } from "#app/i18n/i18n.ts";

/** How long a token may live, in days: a choice, never more than a year. */
export const TOKEN_LIFETIMES = ["30", "90", "180", "365"] as const;
export const TOKEN_NAME_MAX = 100;

const name = z
  .string()
  .trim()
  .min(1, { message: "apiTokens.error.nameMissing" satisfies MessageKey })
  .max(TOKEN_NAME_MAX, { message: "apiTokens.error.nameTooLong" satisfies MessageKey })
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001F\u007F]/.test(s), { message: "apiTokens.error.nameControl" satisfies MessageKey });

export const TokenFormSchema = z.object({
  name,
  lifetime: z.enum(TOKEN_LIFETIMES, { message: "apiTokens.error.lifetimeMissing" satisfies MessageKey }),
  /** Empty: the token is the maker's own. */
  ownerId: z
    .string()
    .regex(/^(\d{1,9})?$/, { message: "apiTokens.error.ownerMissing" satisfies MessageKey })
    .transform((s) => (s === "" ? null : Number(s))),
});
export type TokenForm = z.infer<typeof TokenFormSchema>;
export type TokenField = keyof TokenForm;

export type TokenFormResult = { ok: true; form: TokenForm } | { ok: false; errors: Partial<Record<TokenField, MessageKey>> };

export function validateTokenForm(input: Record<TokenField, string>): TokenFormResult {
  const parsed = TokenFormSchema.safeParse(input);
  if (parsed.success) return { ok: true, form: parsed.data };
  const errors: Partial<Record<TokenField, MessageKey>> = {};
  for (const issue of parsed.error.issues) errors[issue.path[0] as TokenField] ??= issue.message as MessageKey;
  return { ok: false, errors };
}
