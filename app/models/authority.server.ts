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

// Only a code of the form the database allows can exist; anything else (a NUL byte in an address) is not looked up.
export const isAuthorityCode = (code: string) => /^W06[0-9]{6}$/.test(code);

/** An authority with its region's names: a query of its own, or a subquery of a page's first query. */
export function authorityQuery(db: Executor, code: string) {
  return db
    .selectFrom("authority as a")
    .innerJoin("region as r", "r.code", "a.region_code")
    .select(["a.code", "a.name_en", "a.name_cy", "a.region_code", "r.name_en as region_en", "r.name_cy as region_cy"])
    .where("a.code", "=", code);
}

export async function findAuthority(db: Executor, code: string) {
  if (!isAuthorityCode(code)) return undefined;
  return authorityQuery(db, code).executeTakeFirst();
}
