/**
 * Ten years of rounds for benchmarks, shaped like a real service's history: 4 collections a year,
 * 30 items each, all 22 authorities, three officers per authority, about 3 submitted versions per
 * return, realistic states (some not collected, unknown or not applicable, some counted
 * differently, some caveats), reasons and notes as long as people write them, amendments left in
 * draft in old rounds, returns never submitted, the coordinator's query threads, and the audit rows
 * to match (stamped with the time of seeding: the database sets every audit row's time). Deterministic: the same seed gives the same database. Written with bulk inserts: the
 * shapes are the ones the return model writes, without its per-save checks, which would take
 * minutes at this size.
 */
import { sql, type Kysely } from "kysely";
import type { Database, ValueState } from "#db/types.ts";
import { recordAudit, type AuditEntry } from "#app/models/audit.server.ts";
import { hashPassword } from "#app/auth/password.server.ts";
import { CATALOGUE } from "./catalogue.ts";
import { DEMO_PASSWORD, officerEmail } from "./demo.ts";
import { CENSUS_2021 } from "#app/domain/denominators.ts";

const ITEMS_PER_COLLECTION = 30;
const START_YEAR = 2016;
/** The demo's one officer per authority, and this many more. */
export const OFFICERS_PER_AUTHORITY = 3;

/** The n-th officer of an authority (1 is the demo's own account). */
export function nthOfficerEmail(authorityNameEn: string, n: number) {
  return n === 1 ? officerEmail(authorityNameEn) : officerEmail(authorityNameEn).replace(/^officer\./, `officer${n}.`);
}

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

// What people write, in the lengths they write it: a clause or two, sometimes a short paragraph.
const REASONS = [
  "We do not record this in our case management system at present.",
  "Our system changed this year and the report that produced this figure has not been rebuilt yet; we expect to have it for the next round.",
  "The figure is held by the leaving care team on a spreadsheet that is not reconciled with the case management system, so we cannot give one we would stand behind.",
  "Not reliable this round: a data cleansing exercise is under way after we found duplicate records for young people who moved between teams.",
  "No such service is commissioned in this authority; young people are supported through the regional arrangement instead.",
  "We only record this for young people who remain in contact with the service, which would give a misleading undercount.",
];
const CAVEATS = [
  "Includes a late correction.",
  "Includes 3 young people placed out of county who remain our responsibility.",
  "Counted at the end of the quarter rather than on the reference date, as our monthly snapshot falls then.",
  "Two young people are counted in both this figure and the neighbouring authority's, as responsibility transferred during the period; we have agreed with them that both will report until the transfer completes.",
];
const COUNTING_NOTES = [
  "Counted open cases only.",
  "Counted young people with an allocated personal adviser, whether or not they are in contact, which is wider than the definition.",
];
const AMENDMENTS = [
  "Corrected after checking.",
  "A case was recorded against the wrong team; corrected after the quarterly audit.",
  "The previous figure double counted young people who moved between the 16+ and leaving care teams during the quarter. This version removes the duplicates.",
];
const QUESTIONS = [
  "This figure is much higher than last round. Can you confirm it is right, and say what changed?",
  "The figure has fallen by more than half since the previous round. Could you check whether the change in your case management system affected how it was counted, and confirm the figure or send a correction?",
  "You have said this is not collected, but you reported it last round. Has something changed in how you record it?",
];
const REPLIES = [
  "Confirmed: the figure is right.",
  "We have checked with the leaving care team. The rise is real: a group of young people turned 21 during the quarter and remain in contact with their personal advisers, so they now fall within the definition.",
  "We moved to a new case management system in the spring and the report has not been rebuilt. We will give a figure next round and have recorded it as not collected for now.",
  "Thank you, that explains it.",
];

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

/** Through the one way into the audit log: the database stamps each row with the time it is written (now, not the history's date) and seals it. */
async function recordAuditInChunks(db: Kysely<Database>, entries: AuditEntry[], size = 2000) {
  for (let i = 0; i < entries.length; i += size) await recordAudit(db, entries.slice(i, i + size));
}

async function insertInChunks<T extends object>(db: Kysely<Database>, table: keyof Database, rows: T[], size = 2000) {
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}

/** Officers 2 and 3 of every authority (the demo gave the first), with the demo password. */
async function seedOfficers(db: Kysely<Database>) {
  const authorities = await db.selectFrom("authority").select(["code", "name_en"]).orderBy("code").execute();
  const existing = new Set((await db.selectFrom("app_user").select("email").execute()).map((u) => u.email));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const fresh = authorities.flatMap((a) =>
    Array.from({ length: OFFICERS_PER_AUTHORITY }, (_, i) => ({
      email: nthOfficerEmail(a.name_en, i + 1),
      name: `Benchmark Officer ${i + 1} (${a.name_en})`,
      role: "officer" as const,
      authority_code: a.code,
      password_hash: passwordHash,
    })).filter((o) => !existing.has(o.email)),
  );
  if (fresh.length > 0) await db.insertInto("app_user").values(fresh).execute();
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
  await seedOfficers(db);
  const authorities = (await db.selectFrom("authority").select("code").orderBy("code").execute()).map((a) => a.code);
  const officers = new Map<string, number[]>();
  for (const u of await db.selectFrom("app_user").select(["id", "authority_code"]).where("role", "=", "officer").orderBy("id").execute()) {
    officers.set(u.authority_code!, [...(officers.get(u.authority_code!) ?? []), u.id]);
  }
  const coordinator = await db.selectFrom("app_user").select("id").where("role", "=", "coordinator").orderBy("id").executeTakeFirst();
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
    const auditRows: AuditEntry[] = [];
    const threads: { returnId: number; authority: string; itemCode: string; at: Date }[] = [];
    for (const authority of authorities) {
      const staff = officers.get(authority) ?? [];
      const roll = next();
      // Most returns submitted; a few never were (a draft left when the round closed); some submitted
      // returns have an amendment begun and never finished, so their working copy differs.
      const versions = roll < 0.03 ? 0 : 1 + Math.floor(next() * 5); // 1 to 5: about 3 on average
      const amendmentLeftInDraft = versions > 0 && next() < 0.06;
      const status = versions === 0 || amendmentLeftInDraft ? "draft" : next() < 0.8 ? "accepted" : "submitted";
      const { id: returnId } = await db
        .insertInto("return")
        .values({
          collection_id: collectionId,
          authority_code: authority,
          status,
          lock_version: versions * 2 + (amendmentLeftInDraft ? 1 : 0) + (versions === 0 ? 1 : 0),
          submitted_version: versions === 0 ? null : versions,
          amendment_reason: amendmentLeftInDraft ? pick(AMENDMENTS) : null,
          accepted_version: status === "accepted" ? versions : null,
          accepted_at: status === "accepted" ? new Date(Date.parse(`${due}T10:00:00Z`) + (versions + 3) * 86_400_000) : null,
          accepted_by: status === "accepted" ? (coordinator?.id ?? null) : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const values = () =>
        codes.map((code, i) => {
          const roll = next();
          const state: ValueState = roll < 0.82 ? "reported" : roll < 0.9 ? "not_collected" : roll < 0.96 ? "unknown" : "not_applicable";
          const reported = state === "reported";
          const deviates = reported && next() < 0.05;
          return {
            item_code: code,
            state,
            number: reported ? Math.max(0, Math.round(base.get(authority)![i]! * (0.8 + next() * 0.4))) : null,
            reason: reported ? null : pick(REASONS),
            age_from: deviates ? 18 : null,
            age_to: deviates ? 25 : null,
            counting_note: deviates && next() < 0.5 ? pick(COUNTING_NOTES) : null,
            caveat: next() < 0.05 ? pick(CAVEATS) : null,
          };
        });
      let working = values();
      for (let version = 1; version <= versions; version++) {
        const at = new Date(Date.parse(`${due}T10:00:00Z`) + version * 86_400_000);
        const actor = staff.length > 0 ? pick(staff) : null;
        if (version > 1) working = values();
        versionRows.push({
          return_id: returnId,
          version,
          submitted_at: at,
          submitted_by: actor,
          signed_off_name: "Benchmark officer",
          signed_off_role: "Team manager",
          amendment_reason: version > 1 ? pick(AMENDMENTS) : null,
        });
        for (const value of working) versionValueRows.push({ return_id: returnId, version, ...value });
        auditRows.push(
          ...working.map((value) => ({
            actorUserId: actor,
            action: "value.change",
            entity: "value",
            entityKey: `${returnId}:${value.item_code}`,
            authorityCode: authority,
            after: value,
          })),
          {
            actorUserId: actor,
            action: "return.submit",
            entity: "return",
            entityKey: returnId,
            authorityCode: authority,
            after: { submitted_version: version },
          },
        );
        if (coordinator && version === 1 && next() < 0.12) {
          threads.push({ returnId, authority, itemCode: pick(codes.slice(0, 10)), at: new Date(at.getTime() + 2 * 86_400_000) });
        }
      }
      // The draft's working copy: an unfinished amendment changes a few figures.
      if (amendmentLeftInDraft || versions === 0) working = values();
      for (const value of working) {
        valueRows.push({ return_id: returnId, collection_id: collectionId, updated_by: staff[0] ?? null, ...value });
      }
    }
    await insertInChunks(db, "return_version", versionRows);
    await insertInChunks(db, "return_version_value", versionValueRows);
    await insertInChunks(db, "value", valueRows);
    await recordAuditInChunks(db, auditRows);
    if (coordinator) await seedThreads(db, threads, { coordinatorId: coordinator.id, officers, next, pick });
  }
  await sql`analyze`.execute(db);
}

/** The coordinator's questions on submitted values and the officers' answers, most of them resolved. */
async function seedThreads(
  db: Kysely<Database>,
  threads: { returnId: number; authority: string; itemCode: string; at: Date }[],
  {
    coordinatorId,
    officers,
    next,
    pick,
  }: { coordinatorId: number; officers: Map<string, number[]>; next: () => number; pick: <T>(list: readonly T[]) => T },
) {
  if (threads.length === 0) return;
  const resolvedFlags = threads.map(() => next() < 0.9);
  const created = await db
    .insertInto("value_query")
    .values(
      threads.map((t, i) => ({
        return_id: t.returnId,
        item_code: t.itemCode,
        status: resolvedFlags[i] ? ("resolved" as const) : ("open" as const),
        raised_by: coordinatorId,
        raised_at: t.at,
        resolved_by: resolvedFlags[i] ? coordinatorId : null,
        resolved_at: resolvedFlags[i] ? new Date(t.at.getTime() + 5 * 86_400_000) : null,
      })),
    )
    .returning("id")
    .execute();
  const messages: object[] = [];
  const audit: AuditEntry[] = [];
  created.forEach(({ id }, i) => {
    const thread = threads[i]!;
    const turns = 2 + Math.floor(next() * 3);
    for (let turn = 0; turn < turns; turn++) {
      const fromCoordinator = turn % 2 === 0;
      const author = fromCoordinator ? coordinatorId : pick(officers.get(thread.authority) ?? [coordinatorId]);
      const at = new Date(thread.at.getTime() + turn * 86_400_000);
      const body = fromCoordinator ? (turn === 0 ? pick(QUESTIONS) : "Thank you, that explains it.") : pick(REPLIES);
      messages.push({ query_id: id, author_id: author, at, body });
      audit.push({
        actorUserId: author,
        action: turn === 0 ? "query.raise" : "query.reply",
        entity: "value_query",
        entityKey: id,
        authorityCode: thread.authority,
        after: { item_code: thread.itemCode, body },
      });
    }
  });
  await insertInChunks(db, "value_query_message", messages);
  await recordAuditInChunks(db, audit);
}
