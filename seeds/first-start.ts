import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { seedDemoData } from "./demo.ts";
import { seedReferenceData } from "./reference.ts";

/**
 * The first start of a database with no authorities loads the reference data, and the demo data
 * when asked: always on the embedded database, so a newcomer's `npm start` shows something true;
 * on PostgreSQL only with SEED_DEMO_DATA=true. The portal's entry (server.ts) calls it after
 * migrating; the app itself never loads seeds.
 */
export async function seedOnFirstStart(db: Kysely<Database>, { demo }: { demo: boolean }): Promise<"seeded" | "already seeded"> {
  const hasAuthorities = await db.selectFrom("authority").select("code").limit(1).executeTakeFirst();
  if (hasAuthorities) return "already seeded";
  await seedReferenceData(db);
  if (demo) await seedDemoData(db);
  return "seeded";
}
