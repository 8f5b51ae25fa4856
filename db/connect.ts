import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import {
  AbortedTransactionError,
  CompiledQuery,
  Kysely,
  PGliteAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type KyselyConfig,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import pg from "pg";
import { logger } from "#app/log.server.ts";
import type { Database } from "./types.ts";

// int8 (count(*), bigserial) as a JS number, and date as its ISO text, on both engines.
const INT8 = 20;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

export type DatabaseTarget =
  | { kind: "postgres"; url: string }
  /** `loadDataDir` starts a new data folder from a dump (the tests' demo database). */
  | { kind: "pglite"; dataDir: string; loadDataDir?: Blob };

export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  return { kind: "pglite", dataDir: env.PGLITE_DATA_DIR ?? "./data" };
}

declare global {
  // The pg pool behind each PostgreSQL database, for the metrics: on globalThis, since the Remix build bundles its own copy of this module.
  var __portalPools: WeakMap<object, pg.Pool> | undefined;
}

/** The pg pool behind a database made by createDatabase; undefined for the embedded one. */
export function poolOf(db: Kysely<Database>): pg.Pool | undefined {
  return globalThis.__portalPools?.get(db);
}

/** `log` is Kysely's: the benchmark records the statements a page runs with it. */
export function createDatabase(target: DatabaseTarget, { log }: Pick<KyselyConfig, "log"> = {}): Kysely<Database> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
    // An idle connection that the server ends (a restart, a failover) is dropped from the pool and
    // replaced on next use; without a listener, pg's "error" event would end the process.
    pool.on("error", (error) => logger().warn({ err: error }, "idle database connection lost"));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PreparingPool(pool) }), log });
    globalThis.__portalPools ??= new WeakMap();
    globalThis.__portalPools.set(db, pool);
    return db;
  }
  return new Kysely<Database>({ dialect: new EmbeddedDialect(target.dataDir, target.loadDataDir), log });
}

/** feature_not_supported: what PostgreSQL answers when a schema change altered a prepared statement's result. */
const STALE_PLAN = "0A000";
/** Statements a connection keeps prepared at most; past that, statements run unnamed. */
const MAX_PREPARED = 200;
/** Texts with more parameters vary with the rows they carry (bulk inserts): planned once each, not kept. */
const MAX_PREPARED_PARAMETERS = 1000;

/**
 * A statement worth keeping prepared: a single query or write, not DDL (migrations) or transaction
 * control, and not one whose columns are `*`: a migration on another instance can change what `*`
 * means, and PostgreSQL cannot change a prepared statement's result type.
 */
function preparable(text: string, parameters: number) {
  return (
    parameters <= MAX_PREPARED_PARAMETERS &&
    /^\s*(select|insert|update|delete|with)\b/i.test(text) &&
    !text.includes(";") &&
    !/select \*|\.\*|returning \*/.test(text)
  );
}

/**
 * pg with named prepared statements: PostgreSQL parses and plans a named statement once per
 * connection and reuses the plan, where an unnamed one is planned again on every request. Each
 * distinct text is named after its hash, so two texts never share a name on a connection.
 */
class PreparingPool implements PostgresPool {
  readonly #clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  constructor(private readonly pool: pg.Pool) {}

  get options() {
    return this.pool.options;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    // Lent out, a connection has no pool listener: one the server ends between two statements (a
    // restart, a terminate) would raise an "error" nobody hears, which ends the process. Heard,
    // the next statement fails instead, and the pool drops the connection when it comes back.
    client.on("error", lostWhileLentOut);
    let wrapped = this.#clients.get(client);
    if (!wrapped) {
      wrapped = preparingClient(client);
      this.#clients.set(client, wrapped);
    }
    return wrapped;
  }

  end() {
    return this.pool.end();
  }
}

function lostWhileLentOut(error: Error) {
  logger().warn({ err: error }, "database connection lost while in use");
}

function preparingClient(client: pg.PoolClient): PostgresPoolClient {
  // This connection's names, by text. A statement whose plan a schema change made stale ("cached plan
  // must not change result type", e.g. a column's type changed by a migration on another instance)
  // is prepared again under a new name: at once outside a transaction, on its next use inside one
  // (whose statements PostgreSQL refuses after an error).
  const names = new Map<string, string>();
  let generation = 0;
  let inTransaction = false;
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name && names.size < MAX_PREPARED) {
      name = `k${createHash("sha256").update(text).digest("base64url").slice(0, 24)}_${generation}`;
      names.set(text, name);
    }
    return name;
  };
  const query = async (text: string, parameters: readonly unknown[], retried = false): Promise<pg.QueryResult> => {
    if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true;
    else if (/^\s*(commit|rollback)\s*$/i.test(text)) inTransaction = false;
    const name = preparable(text, parameters.length) ? nameOf(text) : undefined;
    if (!name) return client.query(text, parameters as unknown[]);
    try {
      return await client.query({ name, text, values: parameters as unknown[] });
    } catch (error) {
      if ((error as { code?: string }).code !== STALE_PLAN) throw error;
      names.delete(text);
      generation += 1;
      if (inTransaction || retried) throw error;
      return query(text, parameters, true);
    }
  };
  return {
    query: ((textOrCursor: string | object, parameters?: readonly unknown[]) =>
      typeof textOrCursor === "string"
        ? query(textOrCursor, parameters ?? [])
        : client.query(textOrCursor as never)) as unknown as PostgresPoolClient["query"],
    release: (destroy?: boolean) => {
      client.off("error", lostWhileLentOut);
      client.release(destroy);
    },
    get processID() {
      return (client as unknown as { processID?: number }).processID;
    },
  };
}

/**
 * The embedded database runs in a worker thread of its own, so that its WASM, which would
 * otherwise hold the event loop for the whole of every query, leaves the main thread free to
 * serve. The worker is loaded only when no DATABASE_URL is set, so a PostgreSQL deployment never
 * loads the WASM. Its source is here, not in a file of its own, because the Remix build bundles
 * this module away from the folder a worker file would be found in.
 */
const EMBEDDED_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { mkdirSync } = require("node:fs");
const { PGlite, protocol, parse } = require(workerData.pglite);
const { dataDir, loadDataDir, int8, date, maxPrepared, stalePlan } = workerData;
if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
const opened = PGlite.create(dataDir, {
  loadDataDir: loadDataDir ? new Blob([loadDataDir]) : undefined,
  parsers: { [int8]: (v) => Number(v), [date]: (v) => v },
});
const { serialize } = protocol;
const messages = (...parts) => {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
};
// PGlite's query() parses, describes and plans its statement again on every call, in five calls
// into the WASM; a statement prepared under a name is parsed once, then bound and run in one call.
const statements = new Map();
let named = 0;
async function prepared(pglite, text) {
  if (statements.has(text) || statements.size >= maxPrepared) return statements.get(text);
  const name = "s" + named++;
  const described = await pglite.execProtocol(
    messages(serialize.parse({ name, text }), serialize.describe({ type: "S", name }), serialize.sync()),
  );
  const statement = { name, types: parse.parseDescribeStatementResults(described.messages) };
  statements.set(text, statement);
  return statement;
}
async function run(pglite, text, parameters, prepare) {
  const statement = prepare ? await prepared(pglite, text) : undefined;
  if (!statement) return pglite.query(text, parameters, { rowMode: "object" });
  const values = parameters.map((value, i) =>
    value == null ? null : (pglite.serializers[statement.types[i]] ?? String)(value),
  );
  try {
    const ran = await pglite.execProtocol(
      messages(
        serialize.bind({ statement: statement.name, values }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ),
    );
    return parse.parseResults(ran.messages, pglite.parsers, { rowMode: "object" })[0];
  } catch (error) {
    // A migration changed what the statement returns: prepared again, under a new name, on its next use.
    if (error?.code === stalePlan) statements.delete(text);
    throw error;
  }
}
// The main thread sends statements without waiting for the one before (EmbeddedDriver): they run
// one at a time, in the order they came, since a statement prepared first takes two calls.
let previous = Promise.resolve();
parentPort.on("message", (message) => {
  previous = previous.then(() => answer(message));
});
async function answer({ id, sql, parameters, prepare, close }) {
  try {
    const pglite = await opened;
    if (close) {
      await pglite.close();
      parentPort.postMessage({ id });
      return;
    }
    const { rows, affectedRows } = await run(pglite, sql, parameters, prepare);
    parentPort.postMessage({ id, rows, affectedRows });
  } catch (error) {
    // What PostgreSQL said (code, detail, constraint...): the plain fields only, which can cross to
    // the main thread. Anything that could not would make postMessage throw, and stop the queue.
    const plain = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);
    const fields = Object.entries(error ?? {}).filter(([, v]) => plain(v));
    parentPort.postMessage({ id, error: { ...Object.fromEntries(fields), message: String(error?.message ?? error) } });
  }
}
`;

interface EmbeddedReply {
  id: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string } & Record<string, unknown>;
}

/**
 * PGlite is one session, so Kysely would lend it to one caller at a time, each statement waiting
 * for the one before to come back to the main thread. Statements outside a transaction are sent
 * to the worker at once instead and queue there, so that it never waits on the main thread
 * between two; a transaction still has the session to itself (EmbeddedDriver).
 */
class EmbeddedAdapter extends PGliteAdapter {
  override get supportsMultipleConnections() {
    return true;
  }
}

/** PGlite in a worker thread, its statements pipelined, its transactions one at a time. */
class EmbeddedDialect implements Dialect {
  constructor(
    private readonly dataDir: string,
    private readonly loadDataDir?: Blob,
  ) {}

  createAdapter() {
    return new EmbeddedAdapter();
  }

  createDriver(): Driver {
    return new EmbeddedDriver(this.dataDir, this.loadDataDir);
  }

  createIntrospector(db: Kysely<Database>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class EmbeddedDriver implements Driver {
  #worker: Worker | undefined;
  #replies = new Map<number, { resolve: (reply: EmbeddedReply) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  /** The connection whose transaction is open: any other's statements wait for it to end. */
  #inTransaction: DatabaseConnection | undefined;
  #waitingForTransactionEnd: (() => void)[] = [];
  /** An error inside the transaction aborted it: PostgreSQL then answers COMMIT by rolling back. */
  #aborted = false;

  constructor(
    private readonly dataDir: string,
    private readonly loadDataDir?: Blob,
  ) {}

  async init() {
    const loadDataDir = this.loadDataDir ? await this.loadDataDir.arrayBuffer() : undefined;
    const worker = new Worker(EMBEDDED_WORKER, {
      eval: true,
      workerData: {
        pglite: createRequire(import.meta.url).resolve("@electric-sql/pglite"),
        dataDir: this.dataDir,
        loadDataDir,
        int8: INT8,
        date: DATE,
        maxPrepared: MAX_PREPARED,
        stalePlan: STALE_PLAN,
      },
      transferList: loadDataDir ? [loadDataDir] : [],
    });
    worker.on("message", (reply: EmbeddedReply) => {
      const waiting = this.#replies.get(reply.id);
      this.#replies.delete(reply.id);
      // Idle, the worker does not keep the process alive; waiting for an answer, it does.
      if (this.#replies.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    worker.on("error", (error) => this.#failAll(error));
    worker.on("exit", (code) => this.#failAll(new Error(`The embedded database stopped (exit code ${code})`)));
    worker.unref();
    this.#worker = worker;
  }

  #failAll(error: Error) {
    for (const { reject } of this.#replies.values()) reject(error);
    this.#replies.clear();
  }

  #ask(message: { sql: string; parameters: readonly unknown[]; prepare: boolean } | { close: true }) {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new Error("The embedded database is closed"));
    const id = this.#nextId++;
    return new Promise<EmbeddedReply>((resolve, reject) => {
      this.#replies.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...message });
    });
  }

  /**
   * Whether another connection's transaction is open. Its caller must check again after each wait
   * and act in the same turn: a wait that ends ends for every waiter, and another may open a
   * transaction in between.
   */
  #othersTransaction(connection: DatabaseConnection) {
    return this.#inTransaction !== undefined && this.#inTransaction !== connection;
  }

  #transactionEnd() {
    return new Promise<void>((resolve) => this.#waitingForTransactionEnd.push(resolve));
  }

  #endTransaction(connection: DatabaseConnection) {
    if (this.#inTransaction !== connection) return;
    this.#inTransaction = undefined;
    this.#aborted = false;
    const waiting = this.#waitingForTransactionEnd;
    this.#waitingForTransactionEnd = [];
    // In the order they came: a statement that waited before a BEGIN is sent before it.
    for (const resume of waiting) resume();
  }

  async #execute<R>(connection: DatabaseConnection, sql: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    while (this.#othersTransaction(connection)) await this.#transactionEnd();
    const { rows, affectedRows, error } = await this.#ask({ sql, parameters, prepare: preparable(sql, parameters.length) });
    if (error) {
      if (this.#inTransaction === connection) this.#aborted = true;
      throw Object.assign(new Error(error.message), error);
    }
    return { rows: (rows ?? []) as R[], numAffectedRows: affectedRows == null ? undefined : BigInt(affectedRows) };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection: DatabaseConnection = {
      executeQuery: (query) => this.#execute(connection, query.sql, query.parameters),
      streamQuery: () => {
        throw new Error("Streaming is not supported by the embedded database");
      },
    };
    return connection;
  }

  async releaseConnection() {}

  async beginTransaction(connection: DatabaseConnection, { isolationLevel, accessMode }: TransactionSettings) {
    while (this.#othersTransaction(connection)) await this.#transactionEnd();
    this.#inTransaction = connection;
    this.#aborted = false;
    const settings = [isolationLevel && `isolation level ${isolationLevel}`, accessMode].filter(Boolean).join(" ");
    try {
      await connection.executeQuery(CompiledQuery.raw(settings ? `start transaction ${settings}` : "begin"));
    } catch (error) {
      this.#endTransaction(connection);
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection) {
    const aborted = this.#aborted;
    try {
      await connection.executeQuery(CompiledQuery.raw("commit"));
    } finally {
      this.#endTransaction(connection);
    }
    if (aborted) throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    // Kysely rolls back after a COMMIT that failed, whose transaction PostgreSQL has ended already:
    // by then another caller's may be open, which a ROLLBACK would end.
    if (this.#inTransaction !== connection) return;
    try {
      await connection.executeQuery(CompiledQuery.raw("rollback"));
    } finally {
      this.#endTransaction(connection);
    }
  }

  async destroy() {
    if (!this.#worker) return;
    // Closed cleanly, or the next start finds an unclean data folder.
    await this.#ask({ close: true });
    await this.#worker.terminate();
    this.#worker = undefined;
  }
}
