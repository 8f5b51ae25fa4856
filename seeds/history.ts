/**
 * Ten years of rounds for benchmarks: 4 collections a year, 30 items each, all 22 authorities,
 * about 3 submitted versions per return, realistic states (some not collected, unknown or not
 * applicable, some counted differently, some caveats), and the audit rows to match. Deterministic:
 * the same seed gives the same database. Written with bulk inserts: the shapes are the ones the
 * return model writes, without its per-save checks, which would take minutes at this size.
 */
import { sql, type Kysely } from "kysely";
import type { Database, ValueState } from "#db/types.ts";
import { CATALOGUE } from "./catalogue.ts";
import { CENSUS_2021 } from "./reference.ts";

const ITEMS_PER_COLLECTION = 30;
const START_YEAR = 2016;

/** mulberry32: a small, well-known seeded generator, enough for plausible test data. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticItems() {
  const real = CATALOGUE.map((i) => i.code);
  const extra = Array.from({ length: ITEMS_PER_COLLECTION - real.length }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return {
      code: `history_item_${n}`,
      label_en: `Benchmark figure ${n}`,
      label_cy: `Ffigur meincnodi ${n}`,
      definition_en: `A made-up figure for measuring the portal's speed (${n}).`,
      definition_cy: `Ffigur ffug ar gyfer mesur cyflymder y porth (${n}).`,
      max_value: 100_000,
    };
  });
  return { codes: [...real, ...extra.map((e) => e.code)], extra };
}

async function insertInChunks<T extends object>(db: Kysely<Database>, table: keyof Database, rows: T[], size = 2000) {
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}

/** Adds `years` of quarterly rounds (or `rounds` rounds) to a database that has the reference data. */
export async function seedHistory(
  db: Kysely<Database>,
  { years = 10, rounds = years * 4, seed = 2023 }: { years?: number; rounds?: number; seed?: number } = {},
) {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const { codes, extra } = syntheticItems();
  await db
    .insertInto("data_item")
    .values(extra)
    .onConflict((oc) => oc.column("code").doNothing())
    .execute();
  const authorities = (await db.selectFrom("authority").select("code").orderBy("code").execute()).map((a) => a.code);
  const officers = new Map(
    (await db.selectFrom("app_user").select(["id", "authority_code"]).where("role", "=", "officer").execute()).map((u) => [
      u.authority_code!,
      u.id,
    ]),
  );
  const base = new Map(authorities.map((code) => [code, codes.map(() => 20 + Math.floor(next() * 300))]));

  for (let round = 0; round < rounds; round++) {
    const year = START_YEAR + Math.floor(round / 4);
    const quarter = (round % 4) + 1;
    const referenceDate = new Date(Date.UTC(year, quarter * 3, 0)).toISOString().slice(0, 10);
    const due = new Date(Date.UTC(year, quarter * 3, 28)).toISOString().slice(0, 10);
    const { id: collectionId } = await db
      .insertInto("collection")
      .values({
        code: `history-${year}-q${quarter}`,
        title_en: `Benchmark round, ${year} quarter ${quarter}`,
        title_cy: `Rownd meincnodi, ${year} chwarter ${quarter}`,
        guidance_en: "",
        guidance_cy: "",
        reference_date: referenceDate,
        opens_on: referenceDate,
        due_on: due,
        status: "closed",
        rules: JSON.stringify({}),
        denominator_code: CENSUS_2021,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("collection_item")
      .values(codes.map((code, i) => ({ collection_id: collectionId, item_code: code, position: i + 1, required: i < 3 })))
      .execute();

    const versionRows: object[] = [];
    const versionValueRows: object[] = [];
    const valueRows: object[] = [];
    const auditRows: object[] = [];
    for (const authority of authorities) {
      const versions = 1 + Math.floor(next() * 5); // 1 to 5: about 3 on average
      const { id: returnId } = await db
        .insertInto("return")
        .values({
          collection_id: collectionId,
          authority_code: authority,
          status: next() < 0.8 ? "accepted" : "submitted",
          lock_version: versions * 2,
          submitted_version: versions,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const actor = officers.get(authority) ?? null;
      let last: Record<string, unknown>[] = [];
      for (let version = 1; version <= versions; version++) {
        const at = new Date(Date.parse(`${due}T10:00:00Z`) + version * 86_400_000);
        versionRows.push({
          return_id: returnId,
          version,
          submitted_at: at,
          submitted_by: actor,
          signed_off_name: "Benchmark officer",
          signed_off_role: "Team manager",
          amendment_reason: version > 1 ? "Corrected after checking" : null,
        });
        last = codes.map((code, i) => {
          const roll = next();
          const state: ValueState = roll < 0.82 ? "reported" : roll < 0.9 ? "not_collected" : roll < 0.96 ? "unknown" : "not_applicable";
          const reported = state === "reported";
          const deviates = reported && next() < 0.05;
          return {
            item_code: code,
            state,
            number: reported ? Math.max(0, Math.round(base.get(authority)![i]! * (0.8 + next() * 0.4))) : null,
            reason: reported
              ? null
              : pick(["We do not record this.", "Our system changed this year.", "Not reliable this round.", "No such service here."]),
            age_from: deviates ? 18 : null,
            age_to: deviates ? 25 : null,
            caveat: next() < 0.05 ? "Includes a late correction." : null,
          };
        });
        for (const value of last) versionValueRows.push({ return_id: returnId, version, ...value });
        auditRows.push(
          ...last.map((value) => ({
            actor_user_id: actor,
            action: "value.change",
            entity: "value",
            entity_key: `${returnId}:${value.item_code}`,
            authority_code: authority,
            after: JSON.stringify(value),
            at,
          })),
          {
            actor_user_id: actor,
            action: "return.submit",
            entity: "return",
            entity_key: String(returnId),
            authority_code: authority,
            after: JSON.stringify({ submitted_version: version }),
            at,
          },
        );
      }
      for (const value of last) valueRows.push({ return_id: returnId, collection_id: collectionId, ...value });
    }
    await insertInChunks(db, "return_version", versionRows);
    await insertInChunks(db, "return_version_value", versionValueRows);
    await insertInChunks(db, "value", valueRows);
    await insertInChunks(db, "audit_log", auditRows);
  }
  await sql`analyze`.execute(db);
}
