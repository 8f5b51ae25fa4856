import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "#db/types.ts";

export type Executor = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actorUserId: number | null;
  action: string;
  entity: string;
  entityKey: string | number;
  authorityCode?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * The only way anything is written to the audit log; call it inside the transaction of the change.
 * The database sets each row's time and takes its actor from the transaction's declaration
 * (portal.actor_user_id), and seals the rows into the hash chain at commit (decision 010).
 */
export async function recordAudit(db: Executor, entries: AuditEntry | AuditEntry[]) {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const write = async (trx: Executor) => {
    // One declaration per run of entries with the same actor, in their order.
    for (let start = 0; start < list.length; ) {
      const actor = list[start]!.actorUserId;
      let end = start;
      while (end < list.length && list[end]!.actorUserId === actor) end++;
      await sql`select set_config('portal.actor_user_id', ${actor === null ? "" : String(actor)}, true)`.execute(trx);
      await trx
        .insertInto("audit_log")
        .values(
          list.slice(start, end).map((e) => ({
            action: e.action,
            entity: e.entity,
            entity_key: String(e.entityKey),
            authority_code: e.authorityCode ?? null,
            before: e.before === undefined ? null : JSON.stringify(e.before),
            after: e.after === undefined ? null : JSON.stringify(e.after),
            reason: e.reason ?? null,
          })),
        )
        .execute();
      start = end;
    }
  };
  // The declaration lasts for its transaction only, so it must share one with the rows.
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
}

export type ChainReport =
  | { ok: true; rows: number; lastHash: string | null }
  | { ok: false; rows: number; brokenAt: number; why: "changed" | "missing" | "relinked" | "unsealed" };

/**
 * Walks the audit log's hash chain in the order it was sealed (`npm run audit:verify`): every seal
 * must follow the one before it, its row must still be there, and the row's content must hash to
 * what was sealed; and every row must have a seal. Stops at the first broken link.
 */
export async function verifyAuditChain(db: Kysely<Database>, batch = 5_000): Promise<ChainReport> {
  let previous: string | null = null;
  let afterSeq = 0;
  let rows = 0;
  for (;;) {
    const { rows: seals } = await sql<{
      seq: number;
      auditId: number;
      prevHash: string | null;
      hash: string;
      present: boolean;
      expected: string;
    }>`
      select s.seq, s.audit_id as "auditId", s.prev_hash as "prevHash", s.hash, a.id is not null as present,
             audit_log_hash(s.prev_hash, a) as expected
      from audit_seal s left join audit_log a on a.id = s.audit_id
      where s.seq > ${afterSeq} order by s.seq limit ${batch}`.execute(db);
    for (const seal of seals) {
      const brokenAt = Number(seal.auditId);
      if (seal.prevHash !== previous) return { ok: false, rows, brokenAt, why: "relinked" };
      if (!seal.present) return { ok: false, rows, brokenAt, why: "missing" };
      if (seal.expected !== seal.hash) return { ok: false, rows, brokenAt, why: "changed" };
      previous = seal.hash;
      rows++;
    }
    if (seals.length < batch) break;
    afterSeq = Number(seals.at(-1)!.seq);
  }
  const unsealed = await db
    .selectFrom("audit_log as a")
    .select("a.id")
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("audit_seal as s").select("s.seq").whereRef("s.audit_id", "=", "a.id"))))
    .orderBy("a.id")
    .limit(1)
    .executeTakeFirst();
  if (unsealed) return { ok: false, rows, brokenAt: Number(unsealed.id), why: "unsealed" };
  return { ok: true, rows, lastHash: previous };
}
