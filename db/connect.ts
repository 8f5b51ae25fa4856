import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import {
  Kysely,
  PGliteDialect,
  PostgresDialect,
  type DatabaseConnection,
  type Driver,
  type KyselyConfig,
  type PostgresPool,
  type PostgresPoolClient,
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
  return new Kysely<Database>({ dialect: new SerialisedPGliteDialect(target.dataDir, target.loadDataDir), log });
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
    release: (destroy?: boolean) => client.release(destroy),
    get processID() {
      return (client as unknown as { processID?: number }).processID;
    },
  };
}

/**
 * PGlite is one connection. Kysely's PGlite driver hands that connection to every caller at
 * once, so two concurrent requests could interleave inside one transaction. This dialect lets
 * one caller hold the connection at a time, as a pool of size one would.
 */
class SerialisedPGliteDialect extends PGliteDialect {
  constructor(dataDir: string, loadDataDir?: Blob) {
    super({
      pglite: async () => {
        // Loaded only when no DATABASE_URL is set, so a PostgreSQL deployment never loads the WASM.
        const { PGlite } = await import("@electric-sql/pglite");
        if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
        return PGlite.create(dataDir, {
          loadDataDir,
          parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v },
        });
      },
    });
  }

  override createDriver(): Driver {
    return new SerialisedDriver(super.createDriver());
  }
}

class SerialisedDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly inner: Driver) {}

  init(...args: Parameters<Driver["init"]>) {
    return this.inner.init(...args);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#queue;
    this.#queue = previous.then(() => turn);
    await previous;
    this.#release = release;
    return this.inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection) {
    await this.inner.releaseConnection(connection);
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>) {
    return this.inner.beginTransaction(...args);
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(connection);
  }

  destroy() {
    return this.inner.destroy();
  }
}
