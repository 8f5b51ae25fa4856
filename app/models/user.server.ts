import type { Kysely } from "kysely";
import type { Database, Language } from "#db/types.ts";
import { recordAudit } from "./audit.server.ts";

/**
 * The language a signed-in person chose, kept with their account: their pages and emails follow it.
 * Only a form post (with its CSRF token) or signing in may change it, and the change is audited.
 */
export async function setLanguage(db: Kysely<Database>, userId: number, language: Language) {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("app_user")
      .select(["language", "authority_code"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!before || before.language === language) return;
    await trx.updateTable("app_user").set({ language }).where("id", "=", userId).execute();
    await recordAudit(trx, {
      actorUserId: userId,
      action: "account.language",
      entity: "app_user",
      entityKey: userId,
      authorityCode: before.authority_code,
      before: { language: before.language },
      after: { language },
    });
  });
}
