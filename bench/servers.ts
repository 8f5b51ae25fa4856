/** Production servers for the benchmark: one process, or a cluster of instances, on a free port. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../server/compiled.ts";
import { Client } from "./load.ts";

export const SESSION_SECRET = "bench-only-session-secret-of-32-characters";

async function freePort() {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  url: string;
  client: Client;
  /** The processes that serve requests (a cluster's workers, or the one server). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Starts the compiled portal (or, with `instances`, `bench/cluster.ts` with that many workers) on the
 * database `DATABASE_URL`, or on PGlite in `pgliteDir`; with `profile`, under `node --cpu-prof`.
 */
export async function startServer(
  database: { url: string } | { pgliteDir: string },
  { instances, profile }: { instances?: number; profile?: { dir: string; name: string } } = {},
): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NODE_ENV: "production", SESSION_SECRET, PUBLIC_URL: url };
  if ("url" in database) env.DATABASE_URL = database.url;
  else {
    delete env.DATABASE_URL;
    env.PGLITE_DATA_DIR = database.pgliteDir;
  }
  // The compiled server, as production runs it; the cluster's primary is TypeScript, its workers not.
  const command = instances ? ["--import", "tsx", "bench/cluster.ts", String(instances)] : [...COMPILED_NODE_OPTIONS, COMPILED.portal];
  // A folder per server: Node writes one profile per thread, when the process exits.
  const profiling = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}/${profile.name}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profiling, ...command], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let pids = instances ? [] : [child.pid!];
  child.stdout!.on("data", (chunk: Buffer) => {
    const workers = /workers ([\d ]+)/.exec(chunk.toString());
    if (workers) pids = workers[1]!.trim().split(" ").map(Number);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const client = new Client(url);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
    const ok = await client.request("/healthz").then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok && pids.length > 0) break;
    if (i > 600) throw new Error("The server did not start in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    client,
    get pids() {
      return pids;
    },
    async stop() {
      client.close();
      // SIGTERM: the server shuts down gracefully and exits, and Node writes its profile.
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
