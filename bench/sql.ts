/**
 * "Its SQL": every statement one request of a page runs, the session lookups included, recorded
 * by running the production build's request handler in this process on a database that logs each
 * query (Kysely's `log` option), then replayed exactly, with the same parameters, in the same
 * waves of parallel statements the loaders ran.
 */
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { CompiledQuery, type Kysely } from "kysely";
import { createDatabase } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { SESSION_SECRET } from "./servers.ts";

interface Recorded {
  sql: string;
  parameters: readonly unknown[];
  start: number;
  end: number;
}

/** Statements that ran at the same time (the loaders' Promise.all), wave after wave. */
export type Waves = CompiledQuery[][];

/** Where app/db.server.ts keeps the process's database. */
const portal = globalThis as { __portalDatabase?: { db: Kysely<Database>; ready: Promise<void> } };

let handler: ReturnType<typeof createRequestHandler> | undefined;

async function requestHandler() {
  if (!handler) {
    process.env.SESSION_SECRET = SESSION_SECRET;
    const build = (await import(pathToFileURL("build/index.js").href)) as ServerBuild;
    handler = createRequestHandler(build, "production");
  }
  return handler;
}

export async function recordSql(databaseUrl: string, path: string, cookie: string): Promise<Waves> {
  const recorded: Recorded[] = [];
  const db = createDatabase(
    { kind: "postgres", url: databaseUrl },
    {
      log: (event) => {
        const end = performance.now();
        recorded.push({ sql: event.query.sql, parameters: event.query.parameters, start: end - event.queryDurationMillis, end });
      },
    },
  );
  // The build's getDb() answers with the process's database: this one, for as long as the request runs.
  const previous = portal.__portalDatabase;
  portal.__portalDatabase = { db, ready: Promise.resolve() };
  try {
    const handle = await requestHandler();
    const response = await handle(new Request(`http://127.0.0.1${path}`, { headers: { Cookie: cookie } }), {
      cspNonce: "bench",
      clientAddress: "127.0.0.1",
    });
    await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status} while its SQL was recorded`);
  } finally {
    portal.__portalDatabase = previous;
    await db.destroy();
  }
  recorded.sort((a, b) => a.start - b.start);
  const waves: Waves = [];
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const statement of recorded) {
    const query = CompiledQuery.raw(statement.sql, [...statement.parameters]);
    if (statement.start < waveEnd) waves.at(-1)!.push(query);
    else waves.push([query]);
    waveEnd = Math.max(statement.start < waveEnd ? waveEnd : Number.NEGATIVE_INFINITY, statement.end);
  }
  return waves;
}

export async function replay(db: Kysely<Database>, waves: Waves) {
  for (const wave of waves) await Promise.all(wave.map((query) => db.executeQuery(query)));
}

export const statementCount = (waves: Waves) => waves.reduce((n, wave) => n + wave.length, 0);
