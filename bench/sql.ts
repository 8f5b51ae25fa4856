/**
 * "Its SQL": every statement one request of a page runs, the session lookups included, recorded
 * by running the production build's request handler in this process on a database that logs each
 * query (Kysely's `log` option), then replayed exactly, with the same parameters and the same
 * order: a statement starts once every statement that had finished before it started has finished
 * again, so what the loaders ran side by side runs side by side, and what they chained stays chained.
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

/** A page's statements, each with the statements it waited for (indexes of earlier entries). */
export type Recording = { query: CompiledQuery; after: number[] }[];

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

export async function recordSql(databaseUrl: string, path: string, cookie: string): Promise<Recording> {
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
  return recorded.map((statement, i) => ({
    query: CompiledQuery.raw(statement.sql, [...statement.parameters]),
    after: recorded.flatMap((earlier, j) => (j < i && earlier.end <= statement.start ? [j] : [])),
  }));
}

export async function replay(db: Kysely<Database>, recording: Recording) {
  const done: Promise<unknown>[] = [];
  for (const { query, after } of recording) done.push(Promise.all(after.map((j) => done[j])).then(() => db.executeQuery(query)));
  await Promise.all(done);
}

/** How many statements, and how many of them run one after another at most (the longest chain). */
export function shape(recording: Recording) {
  const depth: number[] = [];
  recording.forEach(({ after }, i) => {
    depth[i] = 1 + Math.max(0, ...after.map((j) => depth[j]!));
  });
  return { statements: recording.length, longestChain: Math.max(0, ...depth) };
}
