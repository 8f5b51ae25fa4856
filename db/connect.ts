import { mkdirSync } from "node:fs";
import { Kysely, PGliteDialect, PostgresDialect, type DatabaseConnection, type Driver, type KyselyConfig } from "kysely";
import pg from "pg";
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

/** `log` is Kysely's: the benchmark records the statements a page runs with it. */
export function createDatabase(target: DatabaseTarget, { log }: Pick<KyselyConfig, "log"> = {}): Kysely<Database> {
  if (target.kind === "postgres") {
    return new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: target.url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }),
      }),
      log,
    });
  }
  return new Kysely<Database>({ dialect: new SerialisedPGliteDialect(target.dataDir, target.loadDataDir), log });
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
