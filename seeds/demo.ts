import type { Kysely } from "kysely";
import type { Database, Role } from "#db/types.ts";
import { CollectionRulesSchema } from "#app/schema/collection-rules.ts";
import type { RawReturn } from "#app/schema/return-values.ts";
import { createCollection, getCollection } from "#app/models/collection.server.ts";
import type { CollectionDraft } from "#app/schema/collection-form.ts";
import { findReturn, saveAsGiven, submitReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { recordReplyText } from "#app/models/reply-text.server.ts";
import { recordAudit } from "#app/models/audit.server.ts";
import { publishStatistics } from "#app/models/statistics.server.ts";
import { SYSTEM_READER } from "#app/auth/policy.server.ts";
import { hashPassword } from "#app/auth/password.server.ts";
import { PORTAL_TEXT } from "#app/i18n/portal-text.ts";
import { readSeedCsv } from "./reference.ts";

export const DEMO_PASSWORD = "demo-password-2023";
/**
 * The demo coordinator's authenticator-app secret (coordinators must sign in with a second factor).
 * Published in the README, so that a newcomer can add it to an app: demo data only, like the password.
 */
export const DEMO_TOTP_SECRET = "DEMOONLYDEMOONLYDEMOONLYDEMOONLY";
export const FEBRUARY_2023 = "2023-02-care-experienced-parents";
export const DECEMBER_2026 = "2026-12-care-experienced-parents";

/** The reply's own words for items 2 and 3, which no authority could supply. */
export const FEBRUARY_2023_REASONS = {
  care_experienced_parents:
    "We do not gather this information in this way, and as some young people opt not to maintain contact, reliable data would be difficult to provide.",
  care_experienced_parents_child_removed:
    "We do not gather this information, partly because we do not include parental care experience in the data we capture for children with care and support needs.",
};

// The portal's own words are stored in English, marked as English; their Welsh is in PORTAL_TEXT (decision 018).
const UNEXPLAINED_IN_2023 = PORTAL_TEXT.unexplainedIn2023.en;

interface February2023Row {
  authority_as_written: string;
  authority_code: string;
  reported_text: string;
  value: string;
  age_from: string;
  age_to: string;
  reference_date_stated: string;
}

/** The February 2023 reply to item 1, a row an authority, as ADSS Cymru received it. */
export const february2023Reply = () => readSeedCsv<February2023Row>("adss-2023-02-care-leavers-21-25.csv");

/**
 * Figures for item 2 given inside an answer to item 1. Blaenau Gwent's "(7 are parent/preg)" is a
 * count of care-experienced parents that also counts young people who are pregnant: a figure for
 * item 2 counted differently (the definition leaves expected births out), not "not collected".
 */
export const FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY: Record<string, { number: string; countingNote: string; asWritten: string }> = {
  W06000019: {
    number: "7",
    asWritten: "(7 are parent/preg)",
    countingNote: PORTAL_TEXT.blaenauGwentParents.en,
  },
};

/** Notes an authority made beside its figure, or that its figure needs beside it. */
const FEBRUARY_2023_CAVEATS: Record<string, string> = {
  W06000019: PORTAL_TEXT.blaenauGwentCaveat.en,
  W06000016: PORTAL_TEXT.rhonddaCynonTafDate.en,
};

function slug(name: string) {
  return name
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function officerEmail(authorityNameEn: string) {
  return `officer.${slug(authorityNameEn)}@authorities.example`;
}

async function seedDemoAccounts(db: Kysely<Database>) {
  const authorities = await db.selectFrom("authority").select(["code", "name_en"]).orderBy("code").execute();
  const accounts: { email: string; name: string; role: Role; is_admin?: boolean; authority_code: string | null }[] = [
    { email: "coordinator@adss-cymru.example", name: "Demo Coordinator", role: "coordinator", is_admin: true, authority_code: null },
    { email: "analyst@gov-wales.example", name: "Demo Analyst", role: "analyst", authority_code: null },
    ...authorities.map((a) => ({
      email: officerEmail(a.name_en),
      name: `Demo Officer (${a.name_en})`,
      role: "officer" as const,
      authority_code: a.code,
    })),
  ];
  const existing = new Set((await db.selectFrom("app_user").select("email").execute()).map((u) => u.email));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const fresh = accounts.filter((a) => !existing.has(a.email));
  if (fresh.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("app_user")
      .values(fresh.map((a) => ({ ...a, password_hash: passwordHash })))
      .returning(["id", "email", "role", "is_admin", "authority_code"])
      .execute();
    const needSecondFactor = created.filter((u) => u.role === "coordinator" || u.is_admin);
    if (needSecondFactor.length > 0) {
      await trx
        .insertInto("two_factor")
        .values(needSecondFactor.map((u) => ({ user_id: u.id, secret: DEMO_TOTP_SECRET, confirmed_at: new Date() })))
        .execute();
    }
    await recordAudit(
      trx,
      created.map((u) => ({
        actorUserId: null,
        action: "account.create",
        entity: "app_user",
        entityKey: u.id,
        authorityCode: u.authority_code,
        after: { email: u.email, role: u.role, authority_code: u.authority_code },
        reason: "Demo account",
      })),
    );
  });
}

async function createOpenCollection(db: Kysely<Database>, seed: CollectionDraft) {
  const created = await createCollection(db, seed, null, { status: "open", reason: "Demo data" });
  if (!created.ok) throw new Error(`demo data: the round ${seed.code} exists already`);
  return (await getCollection(db, seed.code))!;
}

/**
 * The real first round: the 15 answers to item 1 as submitted returns, with their deviations and
 * caveats structured; items 2 and 3 not collected, with the reply's reasons, except Blaenau Gwent's
 * count of parents, which included expectant parents (a deviation); no return from the 7
 * authorities that did not reply. Loaded through the shared schema and the return model, as an
 * upload would be.
 */
async function seedFebruary2023(db: Kysely<Database>) {
  const collection = await createOpenCollection(db, {
    code: FEBRUARY_2023,
    title_en: "Care-experienced young people who are parents (February 2023)",
    title_cy: "Pobl ifanc â phrofiad o ofal sy'n rhieni (Chwefror 2023)",
    guidance_en:
      "Asked of every authority by ADSS Cymru for the Senedd's Children, Young People and Education Committee, which wrote on 14 December 2022. Give each figure as at 31 December 2022.",
    guidance_cy:
      "Gofynnwyd i bob awdurdod gan ADSS Cymru ar ran Pwyllgor Plant, Pobl Ifanc ac Addysg y Senedd, a ysgrifennodd ar 14 Rhagfyr 2022. Rhowch bob ffigur fel yr oedd ar 31 Rhagfyr 2022.",
    reference_date: "2022-12-31",
    opens_on: "2022-12-14",
    due_on: "2023-02-10",
    items: [
      { code: "care_leavers_21_25", required: true },
      { code: "care_experienced_parents", required: true },
      { code: "care_experienced_parents_child_removed", required: true },
    ],
    rules: CollectionRulesSchema.parse({
      crossItem: [{ kind: "not_greater_than", item: "care_experienced_parents_child_removed", limit: "care_experienced_parents" }],
    }),
  });
  const repliedOn = new Date("2023-02-16T12:00:00Z");
  const today = new Date().toISOString().slice(0, 10);
  for (const row of february2023Reply()) {
    const raw: RawReturn = {
      care_leavers_21_25: {
        state: "reported",
        number: row.value,
        // An age band with one end missing (Neath Port Talbot's "up to age of 25") stays a deviation.
        ageFrom: row.age_from || (row.age_to ? "" : undefined),
        ageTo: row.age_to,
        referenceDate: row.reference_date_stated,
        caveat: FEBRUARY_2023_CAVEATS[row.authority_code],
      },
      care_experienced_parents: FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[row.authority_code]
        ? {
            state: "reported",
            number: FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[row.authority_code]!.number,
            countingNote: FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[row.authority_code]!.countingNote,
          }
        : { state: "not_collected", reason: FEBRUARY_2023_REASONS.care_experienced_parents },
      care_experienced_parents_child_removed: {
        state: "not_collected",
        reason: FEBRUARY_2023_REASONS.care_experienced_parents_child_removed,
      },
    };
    const scope = { collection, authorityCode: row.authority_code };
    const reason = `Loaded from ADSS Cymru's reply of 16 February 2023, which gave: "${row.reported_text}"`;
    // The portal's checks flag some of these figures (Newport's rate, for one); the reply explained none.
    const saved = await saveAsGiven(db, scope, {
      basedOn: 0,
      raw,
      explanation: UNEXPLAINED_IN_2023,
      actor: SYSTEM_ACTOR,
      now: repliedOn,
      reason,
    });
    if (!saved.ok) throw new Error(`Could not load ${row.authority_code}: ${JSON.stringify(saved)}`);
    const submitted = await submitReturn(db, scope, {
      basedOn: saved.lockVersion,
      signedOffName: PORTAL_TEXT.february2023SignedOffName.en,
      signedOffRole: PORTAL_TEXT.february2023SignedOffRole.en,
      actor: SYSTEM_ACTOR,
      today,
      now: repliedOn,
    });
    if (!submitted.ok) throw new Error(`Could not submit ${row.authority_code}: ${JSON.stringify(submitted)}`);
    // The authority's own words, kept beside the values read from them.
    const { id: returnId } = (await findReturn(db, scope))!;
    const asWritten = [
      { itemCode: "care_leavers_21_25", text: row.reported_text },
      ...(FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[row.authority_code]
        ? [{ itemCode: "care_experienced_parents", text: FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[row.authority_code]!.asWritten }]
        : []),
    ];
    await db.transaction().execute(async (trx) => {
      for (const { itemCode, text } of asWritten) {
        await recordReplyText(
          trx,
          { returnId, itemCode, text, lang: "en", receivedOn: "2023-02-16" },
          { actorUserId: null, reason: "Demo data: the words of ADSS Cymru's reply of 16 February 2023" },
        );
      }
    });
  }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("collection").set({ status: "closed" }).where("id", "=", collection.id).execute();
    await recordAudit(trx, {
      actorUserId: null,
      action: "collection.close",
      entity: "collection",
      entityKey: collection.id,
      before: { status: "open" },
      after: { status: "closed" },
      reason: "Demo data: the round closed with ADSS Cymru's reply",
    });
  });
}

/** A second round, open now, asking for the breakdowns ADSS recommended, so authorities can answer in the portal. */
async function seedDecember2026(db: Kysely<Database>) {
  await createOpenCollection(db, {
    code: DECEMBER_2026,
    title_en: "Care-experienced young people who are parents (December 2026)",
    title_cy: "Pobl ifanc â phrofiad o ofal sy'n rhieni (Rhagfyr 2026)",
    guidance_en:
      "The second round of the Senedd committee's questions, with the breakdowns ADSS Cymru recommended in February 2023. If you do not record a figure, say so and why: a gap reported is better than a guess.",
    guidance_cy:
      "Ail rownd cwestiynau pwyllgor y Senedd, gyda'r dadansoddiadau a argymhellwyd gan ADSS Cymru ym mis Chwefror 2023. Os nad ydych yn cofnodi ffigur, dywedwch hynny a pham: mae bwlch a adroddir yn well na dyfaliad.",
    reference_date: "2026-10-31",
    opens_on: "2026-11-16",
    due_on: "2026-12-18",
    items: [
      { code: "care_leavers_21_25", required: true },
      { code: "care_experienced_parents", required: true },
      { code: "care_experienced_mothers", required: false },
      { code: "care_experienced_fathers", required: false },
      { code: "care_experienced_parents_recent", required: false },
      { code: "care_experienced_parents_home_authority", required: false },
      { code: "care_experienced_parents_other_authority", required: false },
      { code: "care_experienced_parents_child_removed", required: true },
      { code: "children_reunification_plan", required: false },
    ],
    rules: CollectionRulesSchema.parse({
      crossItem: [
        { kind: "not_greater_than", item: "care_experienced_parents_child_removed", limit: "care_experienced_parents" },
        { kind: "not_greater_than", item: "care_experienced_parents_recent", limit: "care_experienced_parents" },
        { kind: "sum_equals", total: "care_experienced_parents", parts: ["care_experienced_mothers", "care_experienced_fathers"] },
        {
          kind: "sum_equals",
          total: "care_experienced_parents",
          parts: ["care_experienced_parents_home_authority", "care_experienced_parents_other_authority"],
        },
      ],
    }),
  });
}

/** Idempotent: demo accounts are added if missing; each demo collection is loaded once. */
export async function seedDemoData(db: Kysely<Database>) {
  await seedDemoAccounts(db);
  const existing = new Set((await db.selectFrom("collection").select("code").execute()).map((c) => c.code));
  if (!existing.has(FEBRUARY_2023)) {
    await seedFebruary2023(db);
    // Its figures reached the Senedd committee's published papers from the replies as given, never
    // accepted in a portal: its statistics are published here too, as history.
    const published = await publishStatistics(db, SYSTEM_READER, (await getCollection(db, FEBRUARY_2023))!, null, {
      now: new Date("2023-02-16T12:00:00Z"),
      history: true,
    });
    if (!published.ok) throw new Error(`Could not publish the February 2023 statistics: ${published.reason}`);
  }
  if (!existing.has(DECEMBER_2026)) await seedDecember2026(db);
}
