import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Kysely } from "kysely";
import { CENSUS_2021 } from "#app/domain/denominators.ts";
import type { Database } from "#db/types.ts";
import { CATALOGUE } from "./catalogue.ts";

interface AuthorityRow {
  code: string;
  name_en: string;
  name_cy: string;
  region_en: string;
  region_cy: string;
  population_census_2021: string;
  aliases: string;
}

/** Read from the project folder (the working directory), as this module also runs inside the server build. */
export function readSeedCsv<T>(name: string): T[] {
  const text = readFileSync(join(process.cwd(), "seeds", "data", name), "utf8");
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as T[];
}

export function regionCode(nameEn: string) {
  return nameEn.toLowerCase().replace(/[^a-z]+/g, "-");
}

/** Idempotent: loads or refreshes the regions, authorities, Census 2021 populations and the catalogue. */
export async function seedReferenceData(db: Kysely<Database>) {
  const rows = readSeedCsv<AuthorityRow>("authorities.csv");
  await db.transaction().execute(async (trx) => {
    const regions = new Map(rows.map((r) => [regionCode(r.region_en), { name_en: r.region_en, name_cy: r.region_cy }]));
    await trx
      .insertInto("region")
      .values([...regions].map(([code, names]) => ({ code, ...names })))
      .onConflict((oc) =>
        oc.column("code").doUpdateSet((eb) => ({ name_en: eb.ref("excluded.name_en"), name_cy: eb.ref("excluded.name_cy") })),
      )
      .execute();

    await trx
      .insertInto("authority")
      .values(
        rows.map((r) => ({
          code: r.code,
          name_en: r.name_en,
          name_cy: r.name_cy,
          region_code: regionCode(r.region_en),
          aliases: r.aliases ? r.aliases.split("|") : [],
        })),
      )
      .onConflict((oc) =>
        oc.column("code").doUpdateSet((eb) => ({
          name_en: eb.ref("excluded.name_en"),
          name_cy: eb.ref("excluded.name_cy"),
          region_code: eb.ref("excluded.region_code"),
          aliases: eb.ref("excluded.aliases"),
        })),
      )
      .execute();

    // Residents of all ages: not the population a rate of care leavers aged 21 to 25 should be per,
    // so labelled as exactly what it is until a better table is loaded. Labels follow "per 10,000".
    await trx
      .insertInto("denominator")
      .values({
        code: CENSUS_2021,
        label_en: "residents of all ages",
        label_cy: "o breswylwyr o bob oed",
        source: "Census 2021 usual residents (StatsWales: usual resident population by age and local authority)",
        source_cy: "Preswylwyr arferol Cyfrifiad 2021 (StatsCymru: poblogaeth breswyl arferol yn ôl oedran ac awdurdod lleol)",
        year: 2021,
      })
      .onConflict((oc) =>
        oc.column("code").doUpdateSet((eb) => ({
          label_en: eb.ref("excluded.label_en"),
          label_cy: eb.ref("excluded.label_cy"),
          source: eb.ref("excluded.source"),
          source_cy: eb.ref("excluded.source_cy"),
          year: eb.ref("excluded.year"),
        })),
      )
      .execute();
    await trx
      .insertInto("denominator_value")
      .values(rows.map((r) => ({ denominator_code: CENSUS_2021, authority_code: r.code, value: Number(r.population_census_2021) })))
      .onConflict((oc) => oc.columns(["denominator_code", "authority_code"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })))
      .execute();

    // Parents before their breakdowns, so the self-reference is always satisfied.
    for (const item of CATALOGUE) {
      await trx
        .insertInto("data_item")
        .values(item)
        .onConflict((oc) =>
          oc.column("code").doUpdateSet((eb) => ({
            label_en: eb.ref("excluded.label_en"),
            label_cy: eb.ref("excluded.label_cy"),
            definition_en: eb.ref("excluded.definition_en"),
            definition_cy: eb.ref("excluded.definition_cy"),
          })),
        )
        .execute();
    }
  });
}
