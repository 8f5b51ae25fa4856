/**
 * The coordinator's questions on a return ("queries") and the replies on their threads: what a
 * message may be, for the forms and any API. Automatic check findings are "flags", never queries.
 * Isomorphic: no server imports.
 */
import { z } from "zod";
import type { MessageKey } from "#app/i18n/i18n.ts";

export const MESSAGE_LIMIT = 2000;

// Nobody types these; a message carrying one was pasted from somewhere it should not be shown.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const key = (k: MessageKey) => k;

/** A message that may be left empty (a resolution needs no words). */
const optionalMessage = z
  .string()
  .trim()
  .max(MESSAGE_LIMIT, key("queries.error.messageTooLong"))
  .refine((text) => !CONTROL_CHARACTERS.test(text), key("queries.error.controlCharacters"));
const message = optionalMessage.refine((text) => text.length > 0, key("queries.error.messageMissing"));

/** A coordinator's question on one figure of a return: the figure must be one of the round's items. */
export function raiseQuerySchema(itemCodes: readonly string[]) {
  return z.object({
    itemCode: z.string().refine((code) => itemCodes.includes(code), key("queries.error.itemMissing")),
    message,
  });
}

/** A reply on a thread (officer or coordinator), or the coordinator resolving it with an optional last word. */
export const ThreadMessageSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("reply"), message }),
  z.object({ intent: z.literal("resolve"), message: optionalMessage }),
]);
