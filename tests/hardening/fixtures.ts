/**
 * Shared ground for the hardening suites: the demo codes, whole valid returns, and a state of the
 * demo database with submitted returns for Cardiff and Newport in both rounds, each carrying a
 * marker only its own authority (and coordinators and analysts) may ever read.
 */
import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { amendReturn, findReturn, saveAsGiven, submitReturn, type Actor } from "#app/models/return.server.ts";
import type { RawReturn } from "#app/schema/return-values.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { CARDIFF, NEWPORT, POWYS, VALE } from "../support/authorities.ts";

export { CARDIFF, NEWPORT, POWYS, VALE } from "../support/authorities.ts";

export const OPEN_ROUND = "2026-12-care-experienced-parents";
export const CLOSED_ROUND = "2023-02-care-experienced-parents";
export const DRAFT_ROUND = "2027-03-hardening-draft";
export const ITEM = "care_leavers_21_25";

/** Text that only the named authority's officers may ever be shown. */
export const marker = (authorityCode: string) => `leak-marker-${authorityCode}-7f3a9c`;

/** The December 2026 round's items, as posted by the return form: every item, each with its state and fields. */
export function formAnswers(overrides: Record<string, Record<string, string>> = {}, lockVersion = 0, intent = "save") {
  const items: Record<string, Record<string, string>> = {
    care_leavers_21_25: { state: "reported", number: "120" },
    care_experienced_parents: { state: "reported", number: "10" },
    care_experienced_mothers: { state: "reported", number: "7" },
    care_experienced_fathers: { state: "reported", number: "3" },
    care_experienced_parents_recent: { state: "unknown", cannot: "yes", reason: "Our records do not say when care ended." },
    care_experienced_parents_home_authority: {},
    care_experienced_parents_other_authority: {},
    care_experienced_parents_child_removed: { state: "reported", number: "2" },
    children_reunification_plan: { state: "not_collected", cannot: "yes", reason: "We do not record this." },
    ...overrides,
  };
  const fields: Record<string, string> = { lockVersion: String(lockVersion), intent };
  for (const [code, values] of Object.entries(items)) {
    for (const [name, value] of Object.entries(values)) fields[`${code}.${name}`] = value;
  }
  return fields;
}

/** A whole return for a collection that validates for submission: the first item reported as `number`, the rest as the round needs. */
export function rawReturn(collectionCode: string, number: number, caveat: string | undefined): RawReturn {
  const first = { state: "reported", number: String(number), caveat };
  if (collectionCode === CLOSED_ROUND) {
    return {
      care_leavers_21_25: first,
      care_experienced_parents: { state: "not_collected", reason: "Not recorded." },
      care_experienced_parents_child_removed: { state: "not_collected", reason: "Not recorded." },
    };
  }
  return {
    care_leavers_21_25: first,
    care_experienced_parents: { state: "reported", number: "10" },
    care_experienced_mothers: { state: "reported", number: "7" },
    care_experienced_fathers: { state: "reported", number: "3" },
    care_experienced_parents_recent: { state: "unknown", reason: "Our records do not say when care ended." },
    care_experienced_parents_child_removed: { state: "reported", number: "2" },
    children_reunification_plan: { state: "not_collected", reason: "We do not record this." },
  };
}

export async function userId(db: Kysely<Database>, email: string) {
  return (await db.selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
}

export async function officerActor(db: Kysely<Database>, authorityCode: string): Promise<Actor> {
  const user = await db
    .selectFrom("app_user")
    .select("id")
    .where("authority_code", "=", authorityCode)
    .where("role", "=", "officer")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  return { userId: user.id, role: "officer", authorityCode };
}

/**
 * Saves a whole valid return through the model, explains whatever the checks query, and submits it:
 * the first item reported as `number`, other items as `others` gives them, the rest as rawReturn.
 */
export async function saveAndSubmit(
  db: Kysely<Database>,
  collectionCode: string,
  authorityCode: string,
  number: number,
  caveat?: string,
  others: RawReturn = {},
) {
  const collection = (await getCollection(db, collectionCode))!;
  const scope = { collection, authorityCode };
  const actor = await officerActor(db, authorityCode);
  const today = todayInWales();
  const raw = { ...rawReturn(collectionCode, number, caveat), ...others };
  const current = await findReturn(db, scope);
  const saved = await saveAsGiven(db, scope, {
    basedOn: current?.lock_version ?? 0,
    raw,
    explanation: "Checked with the team.",
    actor,
  });
  if (!saved.ok) throw new Error(`fixture save refused: ${JSON.stringify(saved)}`);
  const submitted = await submitReturn(db, scope, {
    basedOn: saved.lockVersion,
    signedOffName: "Fixture Officer",
    signedOffRole: "Head of Service",
    actor,
    today,
  });
  if (!submitted.ok) throw new Error(`fixture submission refused: ${JSON.stringify(submitted)}`);
  return submitted.version;
}

/** Reopens a submitted return as a draft (an amendment in progress). */
export async function reopen(db: Kysely<Database>, collectionCode: string, authorityCode: string) {
  const scope = { collection: (await getCollection(db, collectionCode))!, authorityCode };
  const ret = (await findReturn(db, scope))!;
  const result = await amendReturn(db, scope, {
    basedOn: ret.lock_version,
    reason: "A figure was counted twice.",
    actor: await officerActor(db, authorityCode),
  });
  if (!result.ok) throw new Error(`fixture amendment refused: ${JSON.stringify(result)}`);
}

/**
 * Cardiff and Newport with submitted returns in both rounds, each with its own marker as a caveat:
 * in the open round Newport's stands submitted and Cardiff's is being amended (a draft with a
 * submitted version). The closed round is reopened for a moment, as a fixture only, so that
 * Cardiff, which did not answer in February 2023, has a return there too.
 */
export async function prepareReturns(db: Kysely<Database>) {
  await saveAndSubmit(db, OPEN_ROUND, NEWPORT, 271, marker(NEWPORT));
  await saveAndSubmit(db, OPEN_ROUND, CARDIFF, 120, marker(CARDIFF));
  await reopen(db, OPEN_ROUND, CARDIFF);
  await db.updateTable("collection").set({ status: "open" }).where("code", "=", CLOSED_ROUND).execute();
  await saveAndSubmit(db, CLOSED_ROUND, CARDIFF, 95, marker(CARDIFF));
  await db.updateTable("collection").set({ status: "closed" }).where("code", "=", CLOSED_ROUND).execute();
}

const reported = (number: number) => ({ state: "reported", number: String(number) });

/**
 * Figures that appear nowhere else, planted in returns submitted and never accepted: the Vale's
 * and Powys's in the open round, and in the closed round (where officers may not compare) in
 * place of the figures they gave in February 2023. In the open round the Vale's is the only
 * comparable "had a child within a year" figure in Wales, so that item's Wales total is the
 * Vale's figure alone.
 */
export const PLANTED = {
  open: {
    vale: { leavers: 4919, parents: 4933, mothers: 4901, fathers: 32, recent: 4003 },
    powys: { leavers: 4133 },
  },
  closed: { vale: { leavers: 3889 }, powys: { leavers: 4347 } },
};

export async function plantFigures(db: Kysely<Database>) {
  const vale = PLANTED.open.vale;
  await saveAndSubmit(db, OPEN_ROUND, VALE, vale.leavers, undefined, {
    care_experienced_parents: reported(vale.parents),
    care_experienced_mothers: reported(vale.mothers),
    care_experienced_fathers: reported(vale.fathers),
    care_experienced_parents_recent: reported(vale.recent),
    care_experienced_parents_child_removed: reported(17),
  });
  await saveAndSubmit(db, OPEN_ROUND, POWYS, PLANTED.open.powys.leavers);
  await db.updateTable("collection").set({ status: "open" }).where("code", "=", CLOSED_ROUND).execute();
  for (const [authority, { leavers }] of [
    [VALE, PLANTED.closed.vale],
    [POWYS, PLANTED.closed.powys],
  ] as const) {
    await reopen(db, CLOSED_ROUND, authority);
    await saveAndSubmit(db, CLOSED_ROUND, authority, leavers);
  }
  await db.updateTable("collection").set({ status: "closed" }).where("code", "=", CLOSED_ROUND).execute();
}
