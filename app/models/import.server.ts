/**
 * Bulk imports: a coordinator loads one workbook with rows for many authorities (a round collected
 * before the portal existed), previews it, then applies it. The workbook is kept as uploaded, and
 * both steps read those bytes; applying checks everything again and saves and submits every
 * authority's return in one transaction, so the import lands whole or not at all.
 */
import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "#db/types.ts";
import { validateReturn, type CleanValue, type Problem, type RawReturn } from "#app/schema/return-values.ts";
import { importShape, readImportSheet, normaliseName, type ImportRow } from "#app/spreadsheets/bulk-import.server.ts";
import { formatDate, pick, translator, type Translator } from "#app/i18n/i18n.ts";
import { hasOpened } from "#app/domain/round.ts";
import type { UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { checkXlsx, loadWorkbook, type UploadedFile } from "#app/spreadsheets/upload.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { listAuthorities } from "./authority.server.ts";
import { authorityReader } from "#app/auth/policy.server.ts";
import { returnDefinition, type CollectionWithItems } from "./collection.server.ts";
import {
  findReturn,
  importActor,
  rawValue,
  saveAsGiven,
  submitReturnIn,
  SubmissionRefused,
  workingValues,
  type Actor,
  isStoredInteger,
} from "./return.server.ts";

export interface ImportAuthority {
  code: string;
  name_en: string;
  name_cy: string;
  /** Whether the authority already has a draft, which the import replaces. */
  replacesDraft: boolean;
  values: Record<string, CleanValue>;
  /** The items the workbook has a row for, in the collection's order. */
  itemCodes: string[];
}

/** What would be loaded, and every problem found; it may be applied only when there is no problem. */
export interface ImportPlan {
  authorities: ImportAuthority[];
  issues: UploadIssue[];
  ignoredColumns: string[];
}

const refusedWhole = (issues: UploadIssue[]): ImportPlan => ({ authorities: [], issues, ignoredColumns: [] });

/** The workbook's bytes, checked as safe to open, read and checked against the collection as it stands. */
export async function planImport(
  db: Executor,
  collection: CollectionWithItems,
  bytes: Uint8Array,
  t: Translator,
  today: string,
): Promise<ImportPlan> {
  const authorities = await listAuthorities(db);
  const unsafe = await checkXlsx(bytes, importShape(authorities.length, collection.items.length));
  if (unsafe) return refusedWhole([unsafe]);
  const workbook = await loadWorkbook(bytes);
  if (!workbook) return refusedWhole([{ kind: "message", key: "upload.error.notXlsx" }]);
  const sheet = readImportSheet(workbook);
  if (!sheet.ok) return refusedWhole(sheet.issues);

  const byName = new Map<string, (typeof authorities)[number]>();
  for (const authority of authorities) {
    for (const name of [authority.code, authority.name_en, authority.name_cy, ...authority.aliases])
      byName.set(normaliseName(name), authority);
  }
  const items = new Set(collection.items.map((i) => i.code));
  const issues: UploadIssue[] = [];
  const rowsOf = new Map<string, Map<string, ImportRow>>();
  for (const row of sheet.rows) {
    const authority = byName.get(normaliseName(row.authority));
    if (!authority) {
      issues.push({
        kind: "message",
        key: "import.error.unknownAuthority",
        params: { sheet: sheet.sheet, cell: sheet.cellOf(row.row, "authority"), name: row.authority },
      });
      continue;
    }
    if (!items.has(row.itemCode)) {
      const problem: Problem = { itemCode: row.itemCode || "?", field: "state", key: "error.item.unknown" };
      issues.push({ kind: "cell", sheet: sheet.sheet, cell: sheet.cellOf(row.row, "itemCode"), problem });
      continue;
    }
    const rows = rowsOf.get(authority.code) ?? new Map<string, ImportRow>();
    const earlier = rows.get(row.itemCode);
    if (earlier) {
      issues.push({
        kind: "message",
        key: "import.error.duplicate",
        params: {
          sheet: sheet.sheet,
          cell: sheet.cellOf(row.row, "itemCode"),
          authority: pick(t.lang, authority, "name"),
          row: earlier.row,
        },
      });
      continue;
    }
    rows.set(row.itemCode, row);
    rowsOf.set(authority.code, rows);
  }
  if (rowsOf.size === 0 && issues.length === 0) issues.push({ kind: "message", key: "import.error.empty", params: { sheet: sheet.sheet } });

  const definition = returnDefinition(collection);
  const planned: ImportAuthority[] = [];
  for (const authority of authorities.filter((a) => rowsOf.has(a.code))) {
    const rows = rowsOf.get(authority.code)!;
    const name = pick(t.lang, authority, "name");
    const scope = { collection, authorityCode: authority.code };
    const existing = await findReturn(db, scope);
    if (existing && existing.status !== "draft") {
      issues.push({ kind: "message", key: "import.error.alreadySubmitted", params: { authority: name } });
      continue;
    }
    // What the workbook does not carry (explanations of queried figures, items it has no row for)
    // keeps what the authority's draft has: the portal, writing the authority's return for the
    // coordinator, reads its draft as the authority does (the coordinator is shown none of it).
    const working = existing ? await workingValues(db, authorityReader(authority.code), scope) : {};
    const raw: RawReturn = Object.fromEntries(
      collection.items.map(({ code }) => {
        const row = rows.get(code);
        const kept = working[code] ? rawValue(working[code]) : {};
        return [code, row ? { ...row.raw, queryExplanation: kept.queryExplanation } : kept];
      }),
    );
    const checked = validateReturn(definition, raw, { mode: "submit", today });
    if (!checked.ok) {
      for (const problem of checked.problems) {
        const row = rows.get(problem.itemCode);
        const item = collection.items.find((i) => i.code === problem.itemCode);
        if (row) issues.push({ kind: "cell", sheet: sheet.sheet, cell: sheet.cellOf(row.row, problem.field), problem });
        else
          issues.push({
            kind: "message",
            key: "import.error.missingItem",
            params: { authority: name, item: item ? pick(t.lang, item, "label") : problem.itemCode },
          });
      }
      continue;
    }
    planned.push({
      code: authority.code,
      name_en: authority.name_en,
      name_cy: authority.name_cy,
      replacesDraft: Boolean(existing),
      values: checked.values,
      itemCodes: collection.items.map((i) => i.code).filter((code) => rows.has(code)),
    });
  }
  return { authorities: planned, issues, ignoredColumns: sheet.ignored };
}

export async function storeImportUpload(
  db: Kysely<Database>,
  { collectionId, userId, file }: { collectionId: number; userId: number; file: UploadedFile },
) {
  const row = await db
    .insertInto("import_upload")
    .values({
      collection_id: collectionId,
      uploaded_by: userId,
      file_name: file.name,
      bytes: file.bytes,
      sha256: createHash("sha256").update(file.bytes).digest("hex"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findImportUpload(db: Executor, { collectionId, id }: { collectionId: number; id: number }) {
  if (!isStoredInteger(id)) return undefined;
  const row = await db
    .selectFrom("import_upload as i")
    .innerJoin("app_user as u", "u.id", "i.uploaded_by")
    .leftJoin("app_user as a", "a.id", "i.applied_by")
    .select([
      "i.id",
      "i.file_name",
      "i.bytes",
      "i.sha256",
      "i.uploaded_at",
      "i.applied_at",
      "u.name as uploaded_by_name",
      "a.name as applied_by_name",
    ])
    .where("i.collection_id", "=", collectionId)
    .where("i.id", "=", id)
    .executeTakeFirst();
  return row ? { ...row, bytes: new Uint8Array(row.bytes) } : undefined;
}

/** The imports into a collection, newest first, without their bytes. */
export async function listImportUploads(db: Executor, collectionId: number) {
  return db
    .selectFrom("import_upload as i")
    .innerJoin("app_user as u", "u.id", "i.uploaded_by")
    .select(["i.id", "i.file_name", "i.uploaded_at", "i.applied_at", "u.name as uploaded_by_name"])
    .where("i.collection_id", "=", collectionId)
    .orderBy("i.uploaded_at", "desc")
    .orderBy("i.id", "desc")
    .limit(20)
    .execute();
}

export type ApplyResult = { ok: true; submitted: number } | { ok: false; issues: UploadIssue[] };

class ImportRefused extends Error {
  constructor(readonly issues: UploadIssue[]) {
    super("Import refused");
  }
}

/**
 * Saves and submits the return of every authority in the workbook, in one transaction, signed off
 * by the coordinator. The portal loads the figures (importActor): a coordinator never changes a
 * return's figures as themselves, and is on record as who asked. Figures the portal's checks query
 * are explained as loaded without an explanation, as the February 2023 demo round is: the workbook
 * is a record of what was given.
 */
export async function applyImport(
  db: Kysely<Database>,
  collection: CollectionWithItems,
  upload: { id: number; file_name: string; bytes: Uint8Array; sha256: string },
  {
    importedBy,
    signedOffName,
    lang,
    today,
    now = new Date(),
  }: { importedBy: number; signedOffName: string; lang: Translator["lang"]; today: string; now?: Date },
): Promise<ApplyResult> {
  const actor = importActor(importedBy);
  const t = translator(lang);
  const reason = t("import.reason", { file: upload.file_name });
  try {
    return await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable("import_upload")
        .set({ applied_at: now, applied_by: actor.userId })
        .where("id", "=", upload.id)
        .where("applied_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      if (!claimed) throw new ImportRefused([{ kind: "message", key: "import.error.alreadyApplied" }]);
      if (collection.status !== "open") throw new ImportRefused([{ kind: "message", key: "import.error.notOpen" }]);
      if (!hasOpened(collection, today)) {
        const params = { date: formatDate(lang, collection.opens_on) };
        throw new ImportRefused([{ kind: "message", key: "import.error.notYetOpen", params }]);
      }
      const plan = await planImport(trx, collection, upload.bytes, t, today);
      if (plan.issues.length > 0) throw new ImportRefused(plan.issues);
      for (const authority of plan.authorities)
        await loadAuthority(trx, collection, authority, { actor, signedOffName, reason, today, now, t });
      await recordAudit(trx, {
        actorUserId: actor.userId,
        action: "import.apply",
        entity: "import_upload",
        entityKey: upload.id,
        after: {
          collection: collection.code,
          file: upload.file_name,
          sha256: upload.sha256,
          authorities: plan.authorities.map((a) => a.code),
        },
        reason,
      });
      return { ok: true as const, submitted: plan.authorities.length };
    });
  } catch (error) {
    if (error instanceof ImportRefused) return { ok: false, issues: error.issues };
    throw error;
  }
}

async function loadAuthority(
  trx: Transaction<Database>,
  collection: CollectionWithItems,
  authority: ImportAuthority,
  {
    actor,
    signedOffName,
    reason,
    today,
    now,
    t,
  }: { actor: Actor; signedOffName: string; reason: string; today: string; now: Date; t: Translator },
) {
  const scope = { collection, authorityCode: authority.code };
  const refused = (key: "import.error.changedMeanwhile") =>
    new ImportRefused([{ kind: "message", key, params: { authority: pick(t.lang, authority, "name") } }]);
  const existing = await findReturn(trx, scope);
  const raw = Object.fromEntries(Object.entries(authority.values).map(([code, value]) => [code, rawValue(value)]));
  const explanation = t("import.autoExplanation");
  const saved = await saveAsGiven(trx, scope, { basedOn: existing?.lock_version ?? 0, raw, explanation, actor, now, reason });
  if (!saved.ok) throw refused("import.error.changedMeanwhile");
  try {
    const submitted = await submitReturnIn(trx, scope, {
      basedOn: saved.lockVersion,
      signedOffName,
      signedOffRole: reason,
      actor,
      today,
      now,
    });
    if (!submitted.ok) throw refused("import.error.changedMeanwhile");
  } catch (error) {
    if (!(error instanceof SubmissionRefused)) throw error;
    const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
    throw new ImportRefused(
      error.problems.map((problem) => ({
        kind: "message",
        key: "import.error.submitRefused",
        params: { authority: pick(t.lang, authority, "name"), item: labels[problem.itemCode] ?? problem.itemCode },
      })),
    );
  }
}
