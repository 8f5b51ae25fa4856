import type { Language } from "#db/types.ts";
import type { Executor } from "./audit.server.ts";

/** The language a signed-in person chose, kept with their account. */
export async function setLanguage(db: Executor, userId: number, language: Language) {
  await db.updateTable("app_user").set({ language }).where("id", "=", userId).execute();
}
