import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Dates without a time of day ("as at" 2022-12-31) travel as ISO strings, never as Date objects. */
export type IsoDate = string;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonColumn<T> = ColumnType<T, string, string>;

export const VALUE_STATES = ["reported", "not_collected", "unknown", "not_applicable"] as const;
export type ValueState = (typeof VALUE_STATES)[number];

export const RETURN_STATUSES = ["draft", "submitted", "queried", "accepted"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const COLLECTION_STATUSES = ["draft", "open", "closed"] as const;
export type CollectionStatus = (typeof COLLECTION_STATUSES)[number];

export const ROLES = ["officer", "coordinator", "analyst"] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = ["en", "cy"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface RegionTable {
  code: string;
  name_en: string;
  name_cy: string;
}

export interface AuthorityTable {
  code: string;
  name_en: string;
  name_cy: string;
  region_code: string;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
}

export interface DenominatorTable {
  code: string;
  label_en: string;
  label_cy: string;
  /** Where the figures come from, in English; source_cy in Welsh. */
  source: string;
  source_cy: ColumnType<string, string | undefined, string>;
  year: number;
}

export interface DenominatorValueTable {
  denominator_code: string;
  authority_code: string;
  value: number;
}

export interface DataItemTable {
  code: string;
  label_en: string;
  label_cy: string;
  definition_en: string;
  definition_cy: string;
  unit: ColumnType<"count", "count" | undefined, "count">;
  min_value: ColumnType<number, number | undefined, number>;
  max_value: number | null;
  age_from: number | null;
  age_to: number | null;
  parent_code: string | null;
  created_at: Timestamp;
  /** The population this item's rates are per 10,000 of; null: the collection's. */
  denominator_code: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CollectionTable {
  id: Generated<number>;
  code: string;
  title_en: string;
  title_cy: string;
  guidance_en: string;
  guidance_cy: string;
  reference_date: IsoDate;
  opens_on: IsoDate;
  due_on: IsoDate;
  status: CollectionStatus;
  /** Validated by CollectionRulesSchema in app/schema/collection-rules.ts. */
  rules: JsonColumn<unknown>;
  denominator_code: string | null;
  created_at: Timestamp;
  /** Whether officers may see other authorities' figures once the collection is closed. */
  officers_may_compare: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface CollectionItemTable {
  collection_id: number;
  item_code: string;
  position: number;
  required: boolean;
}

export interface AppUserTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: Role;
  is_admin: ColumnType<boolean, boolean | undefined, boolean>;
  authority_code: string | null;
  password_hash: string | null;
  language: ColumnType<Language, Language | undefined, Language>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  last_signed_in_at: Timestamp | null;
  active_changed_at: Timestamp | null;
  active_changed_by: number | null;
  active_change_reason: string | null;
  /** The language the reason is in: its author's interface language when they wrote it. */
  active_change_reason_lang: Language | null;
}

export interface ReturnTable {
  id: Generated<number>;
  collection_id: number;
  authority_code: string;
  status: ReturnStatus;
  /** Optimistic lock: bumped by every save; a save based on an older number is refused. */
  lock_version: ColumnType<number, number | undefined, number>;
  /** The latest submitted version, which every total and export reads; null until first submitted. */
  submitted_version: number | null;
  /** Reason given when a submitted return was reopened for amendment, carried into the next version. */
  amendment_reason: string | null;
  amendment_reason_lang: ColumnType<Language | null, Language | null | undefined, Language | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The submitted version the coordinator accepted; kept when an amendment reopens the return. */
  accepted_version: number | null;
  accepted_at: Timestamp | null;
  accepted_by: number | null;
}

/** Columns a value has both in the working copy (value) and in each submitted version. */
interface ValueColumns {
  item_code: string;
  state: ValueState | null;
  number: number | null;
  reason: string | null;
  age_from: number | null;
  age_to: number | null;
  reference_date_used: IsoDate | null;
  counting_note: string | null;
  caveat: string | null;
  query_explanation: string | null;
  /** The language the reason, counting note, caveat and explanation were written in; null: not known. */
  text_lang: ColumnType<Language | null, Language | null | undefined, Language | null>;
  deviates: ColumnType<boolean, never, never>;
  is_comparable: ColumnType<boolean, never, never>;
}

export interface ValueTable extends ValueColumns {
  return_id: number;
  collection_id: number;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface ReturnVersionTable {
  return_id: number;
  version: number;
  submitted_at: Timestamp;
  submitted_by: number | null;
  signed_off_name: string;
  signed_off_role: string;
  /** The language the sign-off was typed in; null: not known. */
  signed_off_lang: ColumnType<Language | null, Language | null | undefined, Language | null>;
  amendment_reason: string | null;
  amendment_reason_lang: ColumnType<Language | null, Language | null | undefined, Language | null>;
  /** The flags the officer's checks raised at submission, [{ itemCode, kind }]; null: submitted before they were kept. */
  flags_asked: ColumnType<unknown, string | undefined, never>;
}

export interface ReturnVersionValueTable extends ValueColumns {
  return_id: number;
  version: number;
}

/** What an authority actually wrote, for a value that came in as free text, beside the value read from it. */
export interface ReplyTextTable {
  return_id: number;
  item_code: string;
  text: string;
  lang: Language;
  received_on: IsoDate;
  recorded_at: Timestamp;
  recorded_by: number | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor_user_id: number | null;
  action: string;
  entity: string;
  entity_key: string;
  authority_code: string | null;
  before: JsonColumn<unknown> | null;
  after: JsonColumn<unknown> | null;
  reason: string | null;
}

/** The hash chain over the audit log: written by the database at commit, never by the portal. */
export interface AuditSealTable {
  seq: Generated<string>;
  audit_id: string;
  prev_hash: string | null;
  hash: string;
}

export interface SessionTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  address: string | null;
  user_agent: string | null;
  last_used_at: Timestamp | null;
}

export interface SignInAttemptTable {
  id: Generated<string>;
  at: Timestamp;
  email: string;
  address: string;
  succeeded: boolean;
}

export const QUERY_STATUSES = ["open", "resolved"] as const;
export type QueryStatus = (typeof QUERY_STATUSES)[number];

export interface ValueQueryTable {
  id: Generated<number>;
  return_id: number;
  item_code: string;
  status: ColumnType<QueryStatus, QueryStatus | undefined, QueryStatus>;
  raised_by: number;
  raised_at: Timestamp;
  resolved_by: number | null;
  resolved_at: Timestamp | null;
}

export interface ValueQueryMessageTable {
  id: Generated<number>;
  query_id: number;
  author_id: number;
  at: Timestamp;
  body: string;
  /** The language the message was written in; null: not known. */
  lang: ColumnType<Language | null, Language | null | undefined, Language | null>;
}

export const OUTBOX_KINDS = [
  "reminder_due",
  "reminder_overdue",
  "chase",
  "invitation",
  "query",
  "password_reset",
  "notification",
  "digest",
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxTable {
  id: Generated<string>;
  kind: OutboxKind;
  to_email: string;
  subject: string;
  body: string;
  collection_id: number | null;
  authority_code: string | null;
  dedupe_key: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  /** When it may be tried next: now when queued, later after a failure (backoff). */
  next_attempt_at: Timestamp;
  /** The lease of the worker sending it. */
  locked_by: string | null;
  locked_until: Timestamp | null;
  /** Given up after the last attempt (a dead letter), until a coordinator retries it. */
  dead_at: Timestamp | null;
  /** When the sending worker handed it to the email server: committed before the server could accept it. */
  handed_over_at: Timestamp | null;
  /** A handover nobody saw answered (its worker died, or the server went silent): sent or not, a coordinator decides. */
  uncertain_at: Timestamp | null;
  /** The one language it is written in; null when it is in Welsh and English. */
  language: Language | null;
}

/**
 * What a person hears about (app/models/notification.server.ts); each may be emailed at once or in a
 * daily digest, but the reminders, which are always emailed (REMINDER_KINDS).
 */
export const NOTIFICATION_KINDS = [
  "query_raised",
  "query_reply",
  "return_accepted",
  "round_opened",
  "return_submitted",
  "amendment_submitted",
  "changed_after_acceptance",
  "reminder_due",
  "reminder_overdue",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const DELIVERIES = ["email", "digest"] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** A word a notification names, in both languages. */
export interface BilingualWord {
  en: string;
  cy: string;
}

/** The names a notification's sentence fills in: the round, the authority, the item, who wrote. */
export interface NotificationWords {
  collection: BilingualWord;
  authority?: BilingualWord;
  item?: BilingualWord;
  author?: string;
  /** Why an accepted return is being changed. */
  reason?: string;
  /** A reminder's due date (YYYY-MM-DD). */
  due?: string;
}

export interface NotificationTable {
  id: Generated<string>;
  user_id: number;
  kind: NotificationKind;
  /** The event this tells of; one notification per person and event. */
  event_key: string;
  /** Where to act: a path of the portal. */
  link: string;
  words: JsonColumn<NotificationWords>;
  created_at: Timestamp;
  delivery: Delivery;
  /** For a digested one: when it went into a digest email. */
  digested_at: Timestamp | null;
}

export interface NotificationPreferenceTable {
  user_id: number;
  kind: NotificationKind;
  delivery: Delivery;
  updated_at: Timestamp;
}

export type JobState = "waiting" | "running" | "retrying";

/** A scheduled job (app/worker/queue.server.ts): one row per job, claimed with a lease. */
export interface JobTable {
  name: string;
  state: ColumnType<JobState, JobState | undefined, JobState>;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  attempts: ColumnType<number, number | undefined, number>;
  failures: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  last_started_at: Timestamp | null;
  last_succeeded_at: Timestamp | null;
}

export interface WorkerHeartbeatTable {
  worker_id: string;
  started_at: Timestamp;
  beat_at: Timestamp;
}

export interface InvitationTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_by: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  purpose: ColumnType<LinkPurpose, LinkPurpose | undefined, LinkPurpose>;
  revoked_at: Timestamp | null;
}

/** What a single-use password link is for: a new account's first password, or a forgotten one. */
export const LINK_PURPOSES = ["invitation", "password_reset"] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

export interface PasswordResetRequestTable {
  id: Generated<string>;
  at: Timestamp;
  email: string;
  address: string;
}

export interface ImportUploadTable {
  id: Generated<number>;
  collection_id: number;
  uploaded_by: number;
  uploaded_at: Timestamp;
  file_name: string;
  /** The workbook exactly as uploaded (at most 2 MB). */
  bytes: Uint8Array;
  sha256: string;
  applied_at: Timestamp | null;
  applied_by: number | null;
}

export const API_SCOPES = ["returns:write", "figures:read"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiTokenTable {
  id: Generated<number>;
  /** Whose rights the token uses, read afresh on every request. */
  owner_id: number;
  created_by: number;
  name: string;
  scope: ApiScope;
  /** The one authority a returns:write token fills in returns for; null for figures:read. */
  authority_code: string | null;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: number | null;
  last_used_at: Timestamp | null;
  /** The throttle's current window and how many requests it has seen. */
  window_started_at: Timestamp | null;
  window_requests: ColumnType<number, number | undefined, number>;
}

/** A person's authenticator-app secret (TOTP); asked for at sign-in once confirmed. */
export interface TwoFactorTable {
  user_id: number;
  /** Base32, as authenticator apps take it. */
  secret: string;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  /** The time step (Unix seconds / 30) of the last code accepted: no code at or before it is accepted again. */
  last_used_step: number | null;
}

export interface RecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the code, hex. */
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/** The step between a right password and a session, for a person with a second factor. */
export interface SignInChallengeTable {
  id: Generated<number>;
  /** SHA-256 of the token in the browser's cookie, hex. */
  token_hash: string;
  user_id: number;
  address: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  failures: ColumnType<number, number | undefined, number>;
}

/** One publication of a closed round's statistics (decision record 011). */
export interface StatisticsPublicationTable {
  id: Generated<number>;
  collection_id: number;
  published_at: Timestamp;
  published_by: number | null;
  /** The figures as published, through the suppression plan: StatisticsFigures in app/models/statistics.server.ts. */
  figures: JsonColumn<unknown>;
  withdrawn_at: Timestamp | null;
  withdrawn_by: number | null;
  withdrawn_reason: string | null;
}

/**
 * One release of a round's figures through the suppression plan (decision 011): the figures it was
 * made from, true values included, and the keys its plan hid. Append-only.
 */
export interface DisclosureReleaseTable {
  id: Generated<number>;
  collection_id: number;
  kind: "statistics" | "workbook";
  released_at: ColumnType<Date, Date | string | undefined, never>;
  released_by: number | null;
  /** CellFigure[] (app/domain/disclosure.ts). */
  cells: JsonColumn<unknown>;
  /** The keys the release's plan hid. */
  hidden: JsonColumn<unknown>;
}

export interface Database {
  region: RegionTable;
  authority: AuthorityTable;
  denominator: DenominatorTable;
  denominator_value: DenominatorValueTable;
  data_item: DataItemTable;
  collection: CollectionTable;
  collection_item: CollectionItemTable;
  app_user: AppUserTable;
  return: ReturnTable;
  value: ValueTable;
  return_version: ReturnVersionTable;
  return_version_value: ReturnVersionValueTable;
  audit_log: AuditLogTable;
  audit_seal: AuditSealTable;
  session: SessionTable;
  sign_in_attempt: SignInAttemptTable;
  value_query: ValueQueryTable;
  value_query_message: ValueQueryMessageTable;
  outbox: OutboxTable;
  invitation: InvitationTable;
  password_reset_request: PasswordResetRequestTable;
  import_upload: ImportUploadTable;
  api_token: ApiTokenTable;
  statistics_publication: StatisticsPublicationTable;
  disclosure_release: DisclosureReleaseTable;
  reply_text: ReplyTextTable;
  job: JobTable;
  worker_heartbeat: WorkerHeartbeatTable;
  two_factor: TwoFactorTable;
  recovery_code: RecoveryCodeTable;
  sign_in_challenge: SignInChallengeTable;
  notification: NotificationTable;
  notification_preference: NotificationPreferenceTable;
}

export type Collection = Selectable<CollectionTable>;
export type NewCollection = Insertable<CollectionTable>;
export type DataItem = Selectable<DataItemTable>;
export type NewDataItem = Insertable<DataItemTable>;
export type AppUser = Selectable<AppUserTable>;
export type ReturnRow = Selectable<ReturnTable>;
export type ValueRow = Selectable<ValueTable>;
export type ValueUpdate = Updateable<ValueTable>;
