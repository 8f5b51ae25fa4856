import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { readDenominatorTable } from "#app/spreadsheets/denominator-table.server.ts";
import type { UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { recordAudit, type Executor } from "./audit.server.ts";

/** Every denominator with how many authorities it has a value for, and the items and rounds that divide by it. */
export async function listDenominators(db: Executor) {
  const denominators = await db
    .selectFrom("denominator as d")
    .select((eb) => [
      "d.code",
      "d.label_en",
      "d.label_cy",
      "d.source",
      "d.source_cy",
      "d.year",
      eb
        .selectFrom("denominator_value as v")
        .whereRef("v.denominator_code", "=", "d.code")
        .select((e) => e.fn.countAll<string>().as("n"))
        .as("authorities"),
    ])
    .orderBy("d.code")
    .execute();
  const items = await db
    .selectFrom("data_item")
    .select(["code", "denominator_code"])
    .where("denominator_code", "is not", null)
    .orderBy("code")
    .execute();
  return denominators.map((d) => ({
    ...d,
    authorities: Number(d.authorities),
    items: items.filter((i) => i.denominator_code === d.code).map((i) => i.code),
  }));
}

async function snapshotOf(db: Executor, code: string) {
  const row = await db.selectFrom("denominator").selectAll().where("code", "=", code).executeTakeFirst();
  if (!row) return null;
  const values = await db
    .selectFrom("denominator_value")
    .select(["authority_code", "value"])
    .where("denominator_code", "=", code)
    .execute();
  return { ...row, values: Object.fromEntries(values.map((v) => [v.authority_code, v.value])) };
}

/**
 * Loads an uploaded denominator table: every row, new or replacing a denominator of the same code,
 * in one transaction with an audit entry each (before and after), or nothing at all.
 */
export async function loadDenominatorTable(
  db: Kysely<Database>,
  bytes: Uint8Array,
  actorUserId: number,
): Promise<{ ok: true; codes: string[] } | { ok: false; issues: UploadIssue[] }> {
  const authorities = (await db.selectFrom("authority").select("code").orderBy("code").execute()).map((a) => a.code);
  const table = readDenominatorTable(bytes, authorities);
  if (!table.ok) return table;
  await db.transaction().execute(async (trx) => {
    for (const row of table.rows) {
      const before = await snapshotOf(trx, row.code);
      const { values, ...fields } = row;
      await trx
        .insertInto("denominator")
        .values(fields)
        .onConflict((oc) =>
          oc.column("code").doUpdateSet({
            label_en: fields.label_en,
            label_cy: fields.label_cy,
            source: fields.source,
            source_cy: fields.source_cy,
            year: fields.year,
          }),
        )
        .execute();
      await trx
        .insertInto("denominator_value")
        .values(Object.entries(values).map(([authority_code, value]) => ({ denominator_code: row.code, authority_code, value })))
        .onConflict((oc) => oc.columns(["denominator_code", "authority_code"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })))
        .execute();
      await recordAudit(trx, {
        actorUserId,
        action: "denominator.load",
        entity: "denominator",
        entityKey: row.code,
        before: before ?? undefined,
        after: await snapshotOf(trx, row.code),
      });
    }
  });
  return { ok: true, codes: table.rows.map((r) => r.code) };
}
