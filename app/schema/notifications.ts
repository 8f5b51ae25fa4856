/**
 * A person's choice, per kind of notification they may hear about, between an email each time and
 * a daily digest. Isomorphic: no server imports.
 */
import { z } from "zod";
import { DELIVERIES, type NotificationKind } from "#db/types.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";

const delivery = z.enum(DELIVERIES, { message: "notifications.error.delivery" satisfies MessageKey });

/** The form of the notification settings page for these kinds (those of the person's role): each must be chosen. */
export function deliveryChoicesSchema(kinds: readonly NotificationKind[]) {
  const schema: z.ZodType<Partial<Record<NotificationKind, z.output<typeof delivery>>>, Record<string, string>> = z.object(
    Object.fromEntries(kinds.map((kind) => [kind, delivery])),
  );
  return schema;
}
