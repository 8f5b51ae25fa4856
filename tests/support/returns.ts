import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { findReturn, saveReturn, submitReturn, SYSTEM_ACTOR, type Actor } from "#app/models/return.server.ts";
import type { RawReturn } from "#app/schema/return-values.ts";

/**
 * Saves and submits an authority's return through the shared schema and the return model, as the
 * portal would, for tests that need submitted figures. Every value carries an explanation, so
 * that the soft checks never hold a submission back. By the portal itself unless an actor (the
 * authority's officer) is given.
 */
export async function submitAs(
  db: Kysely<Database>,
  collectionCode: string,
  authorityCode: string,
  raw: RawReturn,
  actor: Actor = SYSTEM_ACTOR,
) {
  const collection = (await getCollection(db, collectionCode))!;
  const today = new Date().toISOString().slice(0, 10);
  const explained = Object.fromEntries(Object.entries(raw).map(([code, value]) => [code, { queryExplanation: "Checked.", ...value }]));
  const scope = { collection, authorityCode };
  const basedOn = (await findReturn(db, scope))?.lock_version ?? 0;
  const saved = await saveReturn(db, scope, { basedOn, raw: explained, actor });
  if (!saved.ok) throw new Error(`Could not save ${authorityCode}: ${JSON.stringify(saved)}`);
  const submitted = await submitReturn(db, scope, {
    basedOn: saved.lockVersion,
    signedOffName: "Test",
    signedOffRole: "Test",
    actor,
    today,
  });
  if (!submitted.ok) throw new Error(`Could not submit ${authorityCode}: ${JSON.stringify(submitted)}`);
}

/** Reads a downloaded response body to bytes. */
export async function bodyBytes(response: Response) {
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A return of the December round's items: the fathers and the parents from other authorities are
 * the rest. `explained` adds an explanation to every figure, for a submission the checks may flag.
 */
export function parentsReturn(
  { leavers, parents, mothers, home, removed }: Record<"leavers" | "parents" | "mothers" | "home" | "removed", number>,
  { explained = false } = {},
) {
  const reported = (n: number) => ({ state: "reported", number: String(n), ...(explained ? { queryExplanation: "Checked." } : {}) });
  return {
    care_leavers_21_25: reported(leavers),
    care_experienced_parents: reported(parents),
    care_experienced_mothers: reported(mothers),
    care_experienced_fathers: reported(parents - mothers),
    care_experienced_parents_home_authority: reported(home),
    care_experienced_parents_other_authority: reported(parents - home),
    care_experienced_parents_child_removed: reported(removed),
  };
}
