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
