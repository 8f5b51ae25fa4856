import type { Language } from "#db/types.ts";
import { recordAudit, type Executor } from "./audit.server.ts";

export interface ReplyText {
  returnId: number;
  itemCode: string;
  /** The authority's words, exactly as received. */
  text: string;
  lang: Language;
  /** When the reply came in (a letter's or an email's date). */
  receivedOn: string;
}

/**
 * Keeps what an authority actually wrote beside the value read from it, replacing what was kept
 * before for that return and item. Audited, with the text before and after. Call it inside the
 * transaction that saves the value, or just after it.
 */
export async function recordReplyText(
  db: Executor,
  reply: ReplyText,
  { actorUserId, reason }: { actorUserId: number | null; reason: string },
) {
  const before = await db
    .selectFrom("reply_text")
    .select(["text", "lang", "received_on"])
    .where("return_id", "=", reply.returnId)
    .where("item_code", "=", reply.itemCode)
    .executeTakeFirst();
  const row = { text: reply.text, lang: reply.lang, received_on: reply.receivedOn, recorded_by: actorUserId, recorded_at: new Date() };
  await db
    .insertInto("reply_text")
    .values({ return_id: reply.returnId, item_code: reply.itemCode, ...row })
    .onConflict((oc) => oc.columns(["return_id", "item_code"]).doUpdateSet(row))
    .execute();
  const authority = await db.selectFrom("return").select("authority_code").where("id", "=", reply.returnId).executeTakeFirstOrThrow();
  await recordAudit(db, {
    actorUserId,
    action: "reply_text.record",
    entity: "reply_text",
    entityKey: `${reply.returnId}:${reply.itemCode}`,
    authorityCode: authority.authority_code,
    before: before ?? null,
    after: { text: reply.text, lang: reply.lang, received_on: reply.receivedOn },
    reason,
  });
}
