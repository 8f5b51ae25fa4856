import type { Executor } from "./audit.server.ts";

export async function listAuthorities(db: Executor) {
  return db
    .selectFrom("authority as a")
    .innerJoin("region as r", "r.code", "a.region_code")
    .select(["a.code", "a.name_en", "a.name_cy", "a.region_code", "a.aliases", "r.name_en as region_en", "r.name_cy as region_cy"])
    .orderBy("r.name_en")
    .orderBy("a.name_en")
    .execute();
}

export type AuthoritySummary = Awaited<ReturnType<typeof listAuthorities>>[number];

export async function findAuthority(db: Executor, code: string) {
  // Only a code of the form the database allows can exist; anything else (a NUL byte in an address) is not looked up.
  if (!/^W06[0-9]{6}$/.test(code)) return undefined;
  return db
    .selectFrom("authority as a")
    .innerJoin("region as r", "r.code", "a.region_code")
    .select(["a.code", "a.name_en", "a.name_cy", "a.region_code", "r.name_en as region_en", "r.name_cy as region_cy"])
    .where("a.code", "=", code)
    .executeTakeFirst();
}
