/**
 * The benchmark's HTTP client and load generator. node:http with keep-alive sockets rather than
 * fetch: on a 2-core machine the client shares the cores with the server it measures, and undici
 * costs several times more CPU per request.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import { DEMO_TOTP_SECRET, freshCode } from "#tests/support/two-factor.ts";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class Client {
  readonly agent: http.Agent;
  constructor(
    readonly base: string,
    sockets = 256,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(path: string, { method = "GET", cookie, form }: { method?: string; cookie?: string; form?: URLSearchParams } = {}) {
    const body = form?.toString();
    const url = new URL(path, this.base);
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(cookie ? { Cookie: cookie } : {}),
            ...(body !== undefined
              ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), Origin: this.base }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
          res.on("error", reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}

export const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
const cookiesOf = (reply: Reply) => (reply.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!);

/** Cookies by name, a later one replacing an earlier one of the same name. */
const cookieHeader = (...replies: Reply[]) => [...new Map(replies.flatMap(cookiesOf).map((c) => [c.split("=")[0], c])).values()].join("; ");

export async function signIn(client: Client, email: string, password: string) {
  const page = await client.request("/login");
  const body = new URLSearchParams({ csrf: field(page.body, "csrf"), email, password, returnTo: "/" });
  let reply = await client.request("/login", { method: "POST", form: body, cookie: cookieHeader(page) });
  // An account with a second factor (the demo coordinator) is asked for its code next.
  if (reply.status === 302 && String(reply.headers.location).startsWith("/login/code")) {
    const cookie = cookieHeader(page, reply);
    const codePage = await client.request(String(reply.headers.location), { cookie });
    const code = await freshCode(DEMO_TOTP_SECRET, email);
    const form = new URLSearchParams({ csrf: field(codePage.body, "csrf"), returnTo: "/", kind: "code", code });
    reply = await client.request("/login/code", { method: "POST", form, cookie: cookieHeader(page, reply, codePage) });
  }
  const session = cookiesOf(reply).find((c) => c.startsWith("__session="));
  if (!session) throw new Error(`Could not sign in ${email}: ${reply.status}`);
  return session;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Latencies {
  samples: number;
  p50: number;
  p95: number;
}

export function latencies(times: number[]): Latencies {
  const sorted = [...times].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

const TICK_MS = 1000 / 100; // USER_HZ: 100 on Linux

/** CPU time a process has used so far (utime + stime from /proc/<pid>/stat), in milliseconds. */
export function cpuMs(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The whole machine's CPU time so far, busy and in all, in ticks (the first line of /proc/stat). */
function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3]! + ticks[4]!; // idle and iowait
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0); // guest time is counted in user already
  return { busy: total - idle, total };
}

export function rssKb(pid: number, which: "VmRSS" | "VmHWM" = "VmRSS") {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${which}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
}

export interface LoadResult {
  seconds: number;
  requests: number;
  rps: number;
  errors: number;
  /** Server CPU (all the server processes given) over the whole measurement, and per request, in ms. */
  cpuMs: number;
  cpuMsPerRequest: number;
  /** How busy the whole machine's cores were while a load ran (0 to 1): servers, database, this load and anything else; NaN for timed samples. */
  machineBusy: number;
  /** Latencies by route name. */
  routes: Record<string, Latencies>;
  /** Highest resident memory sampled across the server processes while the load ran, in KB. */
  peakRssKb: number;
  /** Every latency, by route: measurements are pooled across slices and runs from these. */
  times: Record<string, number[]>;
}

export function loadResult({
  seconds,
  errors,
  cpuMs,
  machineBusy = Number.NaN,
  peakRssKb,
  times,
}: Pick<LoadResult, "seconds" | "errors" | "cpuMs" | "peakRssKb" | "times"> & { machineBusy?: number }): LoadResult {
  const requests = Object.values(times).reduce((sum, t) => sum + t.length, 0);
  return {
    seconds,
    requests,
    rps: requests / seconds,
    errors,
    cpuMs,
    cpuMsPerRequest: cpuMs / Math.max(1, requests),
    machineBusy,
    routes: Object.fromEntries(Object.entries(times).map(([route, t]) => [route, latencies(t)])),
    peakRssKb,
    times,
  };
}

/** Several measurements of one scenario (slices, or runs) as one: their time, requests and samples added up. */
export function combine(results: LoadResult[]): LoadResult {
  const times: Record<string, number[]> = {};
  for (const r of results) for (const [route, t] of Object.entries(r.times)) times[route] = [...(times[route] ?? []), ...t];
  return loadResult({
    seconds: results.reduce((s, r) => s + r.seconds, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    cpuMs: results.reduce((s, r) => s + r.cpuMs, 0),
    machineBusy: results.reduce((s, r) => s + r.machineBusy * r.seconds, 0) / results.reduce((s, r) => s + r.seconds, 0),
    peakRssKb: Math.max(...results.map((r) => r.peakRssKb)),
    times,
  });
}

export type Step = (connection: number, time: (route: string, started: number) => void) => Promise<void>;

/**
 * Closed loop: `connections` loops, each running `step` again as soon as it returns, until
 * `seconds` have passed and every route named in `minSamples` has that many samples (or
 * `maxSeconds` have passed). A step that throws counts as an error. Bounded in time and count.
 */
export async function load({
  connections,
  seconds,
  maxSeconds = seconds * 4,
  minSamples = {},
  pids,
  step,
}: {
  connections: number;
  seconds: number;
  maxSeconds?: number;
  minSamples?: Record<string, number>;
  pids: number[];
  step: Step;
}): Promise<LoadResult> {
  const times: Record<string, number[]> = {};
  let errors = 0;
  const record = (route: string, started: number) => {
    const list = times[route] ?? [];
    list.push(performance.now() - started);
    times[route] = list;
  };
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const machineBefore = machineTicks();
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    peakRssKb = Math.max(
      peakRssKb,
      pids.reduce((sum, pid) => sum + rssKb(pid), 0),
    );
  }, 200);
  const started = performance.now();
  const enough = () => {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= maxSeconds) return true;
    if (elapsed < seconds) return false;
    return Object.entries(minSamples).every(([route, n]) => (times[route]?.length ?? 0) >= n);
  };
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      while (!enough()) {
        try {
          await step(connection, record);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRssKb = Math.max(
    peakRssKb,
    pids.reduce((sum, pid) => sum + rssKb(pid), 0),
  );
  const cpu = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  const machineAfter = machineTicks();
  const machineBusy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  return loadResult({ seconds: elapsed, errors, cpuMs: cpu, machineBusy, peakRssKb, times });
}

/** Expects a status; anything else is an error of the step. */
export function expect(reply: Reply, status: number, what: string) {
  if (reply.status !== status) throw new Error(`${what}: ${reply.status}`);
  return reply;
}
