/**
 * The portal as an operator runs it: one JSON log line per request with its id (sent back as
 * X-Request-Id) and never a password or token; /healthz, /readyz and /metrics; an error page that
 * quotes the request id; /readyz 503 while the database is gone and 200 once it is back; SIGTERM
 * under a stream of requests answering every request it took; and a rolling restart of two
 * instances behind a proxy that loses no request.
 */
import { request as httpRequest, createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery, createTestDatabase, type TestDatabase } from "../support/database.ts";
import { postgresFor } from "../support/engine.ts";
import { HttpVisitor } from "../support/http.ts";
import { spawnPortal, type PortalProcess } from "../support/portal.ts";
import { workOfTest } from "../support/test-work.ts";
import { COORDINATOR } from "../support/requests.ts";

const postgres = postgresFor("the tests of logs, metrics, readiness and rolling restarts");
const METRICS_TOKEN = "metrics-token-for-the-tests-0123";

type LogLine = Record<string, unknown>;
const logLines = (output: string): LogLine[] =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

// Reads the portal's database beside the running server, so PostgreSQL (always in CI), as below.
describe.skipIf(!postgres)("logs, request ids, health and metrics", () => {
  let database: TestDatabase;
  let portal: PortalProcess;
  beforeAll(async () => {
    database = await createTestDatabase();
    // The worker in the portal's process, as on a single instance: /readyz reads its heartbeat.
    portal = await spawnPortal({ ...database.env, METRICS_TOKEN, WORKER_IN_PROCESS: "true" });
  });
  afterAll(async () => {
    await portal?.kill();
    await database?.destroy();
  });

  it("logs one line per request with its id, route, status, duration and user, and nothing secret", async () => {
    const visitor = new HttpVisitor(() => portal.url);
    const password = "demo-password-2023";
    const signedIn = await visitor.signIn(COORDINATOR, password);
    expect(signedIn.status).toBe(302);
    const home = await visitor.fetch("/");
    expect(home.status).toBe(200);
    const requestId = home.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const token = "a-set-password-token-that-must-not-be-logged";
    await fetch(`${portal.url}/set-password/${token}`);
    // An id a proxy gave is kept; a malformed one is replaced.
    const given = await fetch(`${portal.url}/login`, { headers: { "X-Request-Id": "proxy-id-12345678" } });
    expect(given.headers.get("x-request-id")).toBe("proxy-id-12345678");
    const malformed = await fetch(`${portal.url}/login`, { headers: { "X-Request-Id": "bad id\twith spaces" } });
    expect(malformed.headers.get("x-request-id")).not.toContain("bad id");
    await new Promise((resolve) => setTimeout(resolve, 200));

    const lines = logLines(portal.output());
    const line = lines.find((l) => l.requestId === requestId);
    const coordinatorId = (await database.db.selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow())
      .id;
    expect(line).toMatchObject({ msg: "request", method: "GET", route: "routes/_index", status: 200, userId: coordinatorId });
    expect(typeof line!.durationMs).toBe("number");
    expect(lines.find((l) => l.route === "routes/login" && l.method === "POST")).toMatchObject({ status: 302 });
    expect(lines.find((l) => l.route === "routes/set-password.$token")).toMatchObject({ userId: null });
    const output = portal.output();
    for (const secret of [password, token, COORDINATOR, visitor.cookies.get("__session")!]) expect(output).not.toContain(secret);
  });

  it("/healthz says the process is alive; /readyz checks the database, migrations and the worker's heartbeat", async () => {
    const health = await fetch(`${portal.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    const ready = await fetch(`${portal.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: "ok", migrations: "ok", worker: "ok" } });
  });

  it("/metrics needs the bearer token, and counts requests by route", async () => {
    expect((await fetch(`${portal.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${portal.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-wrong-token-x" } })).status).toBe(401);
    const metrics = await fetch(`${portal.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/portal_http_requests_total\{method="GET",route="routes\/_index",status="200"\} \d+/);
    expect(text).toMatch(/portal_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="routes\/login"\} \d+/);
    expect(text).toMatch(/portal_outbox_emails\{state="waiting"\} \d+/);
    expect(text).toContain("portal_process_resident_memory_bytes");
    if (postgres) expect(text).toMatch(/portal_db_pool_connections\{state="total"\} \d+/);
    // No address or token is ever a label.
    expect(text).not.toContain("set-password/");
  });
});

describe.skipIf(!postgres)("PostgreSQL goes away and comes back", () => {
  let database: TestDatabase;
  let portal: PortalProcess;
  const name = () => new URL(database.env.DATABASE_URL!).pathname.slice(1);
  const admin = (text: string) => adminQuery(postgres!, text);
  beforeAll(async () => {
    database = await createTestDatabase();
    portal = await spawnPortal({ ...database.env, WORKER_IN_PROCESS: "true" });
  });
  afterAll(async () => {
    await admin(`alter database ${name()} allow_connections true`).catch(() => {});
    await portal?.kill();
    await database?.destroy();
  });

  it("/readyz answers 503 while the database is gone, pages answer with the request id, and both recover", async () => {
    const visitor = new HttpVisitor(() => portal.url);
    expect((await visitor.signIn(COORDINATOR)).status).toBe(302);
    expect((await fetch(`${portal.url}/readyz`)).status).toBe(200);

    await admin(`alter database ${name()} allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name()}' and pid <> pg_backend_pid()`);
    const down = await fetch(`${portal.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks.database).toMatch(/^unreachable/);
    // Alive all the same: a liveness probe must not restart an instance for the database's sake.
    expect((await fetch(`${portal.url}/healthz`)).status).toBe(200);

    const page = await visitor.fetch("/");
    expect(page.status).toBe(500);
    const requestId = page.headers.get("x-request-id")!;
    const html = await page.text();
    expect(html).toContain("Sorry, there is a problem with the service");
    expect(html).toContain(requestId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = logLines(portal.output()).filter((l) => l.requestId === requestId);
    const failure = logged.find((l) => l.msg === "request failed");
    expect((failure?.err as { stack?: string } | undefined)?.stack).toMatch(/\n\s+at /);
    expect(logged.find((l) => l.msg === "request")).toMatchObject({ status: 500, level: 50 });

    await admin(`alter database ${name()} allow_connections true`);
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${portal.url}/readyz`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await visitor.fetch("/")).status).toBe(200);
  });
});

/** One request on a new connection (as a proxy without keep-alive makes): its status, or the error's code. */
function getOnce(url: string, headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, headers, timeout: 60_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** `clients` loops of requests until `stop()`; each request has its own id, so the server's log says which it took. */
function streamOfRequests(
  work: ReturnType<typeof workOfTest>,
  target: () => string,
  clients: number,
  headers: () => Record<string, string>,
) {
  const outcomes: { id: string; outcome: number | string }[] = [];
  let running = true;
  let counter = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (running && !work.signal.aborted) {
      const id = `stream-request-${String(++counter).padStart(6, "0")}`;
      outcomes.push({ id, outcome: await getOnce(`${target()}/`, { ...headers(), "X-Request-Id": id }) });
    }
  }).map((loop) => work.track(loop));
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("graceful shutdown", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({
      dataDir: postgres ? undefined : `${process.env.TMPDIR ?? "/tmp"}/portal-shutdown-${process.pid}`,
    });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("SIGTERM under a stream of requests: every request taken is answered, then the process exits 0", async (context) => {
    const work = workOfTest(context);
    const portal = await spawnPortal({ ...database.env, SHUTDOWN_TIMEOUT_MS: "20000" });
    work.atEnd(() => portal.kill("SIGKILL"));
    const visitor = new HttpVisitor(() => portal.url);
    expect((await visitor.signIn(COORDINATOR)).status).toBe(302);
    const stream = streamOfRequests(
      work,
      () => portal.url,
      8,
      () => ({ Cookie: visitor.cookieHeader() }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const code = await portal.kill("SIGTERM");
    await stream.stop();
    expect(code).toBe(0);
    // Which requests the server took: each has a log line. Every one of them was answered 200.
    const taken = new Set(logLines(portal.output()).map((l) => l.requestId));
    const takenOutcomes = stream.outcomes.filter((o) => taken.has(o.id));
    expect(takenOutcomes.length).toBeGreaterThan(0);
    expect(takenOutcomes.filter((o) => o.outcome !== 200)).toEqual([]);
    // The rest were never taken: refused, or reset while still waiting in the kernel's queue when the listener closed.
    const untaken = stream.outcomes.filter((o) => !taken.has(o.id));
    expect(untaken.filter((o) => o.outcome !== "ECONNREFUSED" && o.outcome !== "ECONNRESET")).toEqual([]);
    console.log(
      `graceful shutdown: ${takenOutcomes.length} requests taken, all answered; ${untaken.length} never taken (refused or queued)`,
    );
    expect(portal.output()).toMatch(/shutting down: finishing requests in flight[\s\S]*"stopped"/);
  });
});

/**
 * A load balancer in miniature: round robin, no keep-alive upstream, a refused connection tried on
 * the request's next instance (as nginx's proxy_next_upstream error does: the next after the one
 * that failed, not whichever the shared rotation has reached, which under concurrent retries can be
 * the stopped one again and again).
 */
function tinyProxy(upstreams: () => string[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const server = createServer(async (req, res) => {
    // The body is kept, so that a request can be sent again to the other instance.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const first = next++;
    const attempt = (tries: number) => {
      const list = upstreams();
      const upstream = list[(first + tries) % list.length]!;
      const forward = httpRequest(`${upstream}${req.url}`, { method: req.method, headers: req.headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", (error: NodeJS.ErrnoException) => {
        // A GET that got no answer at all is safe to send again, whatever the socket said (a reset, a
        // hang-up, a broken pipe), as nginx's proxy_next_upstream does for idempotent requests.
        const retry = !res.headersSent && (error.code === "ECONNREFUSED" || req.method === "GET");
        if (retry && tries < 10) setTimeout(() => attempt(tries + 1), 50);
        else if (!res.headersSent) res.writeHead(502).end(error.code);
        else res.destroy();
      });
      forward.end(body);
    };
    attempt(0);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })),
  );
}

describe.skipIf(!postgres)("a rolling restart of two instances behind a proxy", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("loses no request", { timeout: 480_000 }, async (context) => {
    const work = workOfTest(context);
    const instances = [await spawnPortal(database.env), await spawnPortal(database.env)];
    work.atEnd(() => Promise.all(instances.map((i) => i.kill("SIGKILL"))));
    const proxy = await tinyProxy(() => instances.map((i) => i.url));
    const visitor = new HttpVisitor(() => proxy.url);
    expect((await visitor.signIn(COORDINATOR)).status).toBe(302);
    const stream = streamOfRequests(
      work,
      () => proxy.url,
      4,
      () => ({ Cookie: visitor.cookieHeader() }),
    );
    try {
      for (let i = 0; i < instances.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const old = instances[i]!;
        const port = Number(new URL(old.url).port);
        expect(await old.kill("SIGTERM")).toBe(0);
        instances[i] = await spawnPortal(database.env, { port });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await stream.stop();
      proxy.server.close();
      await Promise.all(instances.map((i) => i.kill()));
    }
    const answered = stream.outcomes.filter((o) => o.outcome === 200).length;
    expect(stream.outcomes.filter((o) => o.outcome !== 200)).toEqual([]);
    expect(answered).toBeGreaterThan(20);
    console.log(`rolling restart: ${answered} requests, all answered 200`);
  });
});
