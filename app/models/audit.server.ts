import type { Kysely, Transaction } from "kysely";
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
  at?: Date;
}

/** The only way anything is written to the audit log; call it inside the transaction of the change. */
export async function recordAudit(db: Executor, entries: AuditEntry | AuditEntry[]) {
  const rows = (Array.isArray(entries) ? entries : [entries]).map((e) => ({
    actor_user_id: e.actorUserId,
    action: e.action,
    entity: e.entity,
    entity_key: String(e.entityKey),
    authority_code: e.authorityCode ?? null,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    reason: e.reason ?? null,
    ...(e.at ? { at: e.at } : {}),
  }));
  if (rows.length > 0) await db.insertInto("audit_log").values(rows).execute();
}
