/**
 * The whole environment, checked once at start with zod. In production the portal refuses to
 * start without a session secret of at least 32 characters, its public address and a database,
 * and says everything that is wrong in one message rather than failing on the first request that
 * needs it. `scripts/start.ts` fills in a newcomer's defaults on the embedded database before this
 * runs, so `npm ci && npm start` still works with nothing set.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { SEND_POINTS } from "#app/models/outbox.server.ts";

const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const positiveInt = (fallback: number) =>
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be above 0").default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(["production", "development", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional(),
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  SESSION_SECRET: z.string().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// address" }).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// address")
    .optional(),
  MAIL_FROM: z.string().optional(),
  PORT: positiveInt(3000).refine((p) => p < 65536, "must be a port number"),
  DATABASE_POOL_SIZE: positiveInt(10),
  SEED_DEMO_DATA: flag.optional(),
  /** Which proxies in front of the portal to believe about the client's address: see trustProxy. */
  TRUST_PROXY: z.string().transform(trustProxy).optional(),
  /** Bearer token for /metrics; without it /metrics answers 404. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Run the scheduled work inside the portal's process: by default only on the embedded database. */
  WORKER_IN_PROCESS: flag.optional(),
  /** How long a worker holds a job or an email it has claimed; one that dies gives it up after this. */
  WORKER_LEASE_SECONDS: positiveInt(300),
  /** For the worker test only: the worker kills itself (SIGKILL) as the first email reaches this point of sending. */
  WORKER_CRASH_AT: z.enum(SEND_POINTS).optional(),
  /** How long a SIGTERM waits for requests in flight before closing their connections. */
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
});

/** Express's names for ranges of addresses, as `trust proxy` takes them. */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Whether an entry names proxies Express can trust: an address, a subnet (address/prefix) or a range's name. */
function isProxyEntry(entry: string) {
  if (PROXY_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  // A zone (fe80::1%eth0) is left out: Express's own parser does not take one.
  if (version === 0 || address.includes("%") || rest.length > 0) return false;
  if (prefix === undefined) return true;
  // A prefix of 0 would trust every address: refused, as `true` is.
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY as Express's `trust proxy` takes it. A whole number is how many proxies stand in front
 * of the portal (1 behind one load balancer); anything else a comma-separated list of the proxies'
 * addresses, subnets or range names. Given to Express as a string, "1" was read as the address
 * 0.0.0.1: no proxy was trusted, every client had the load balancer's address, and the sign-in and
 * password-reset throttles, counted by address, refused everyone for one sender's failures. `true`
 * is refused: it trusts every hop, so any client could choose its own address with X-Forwarded-For.
 * Checked here so that a wrong value stops the start with the setting's name, not deep in Express.
 */
function trustProxy(value: string, context: z.RefinementCtx): number | string[] | undefined {
  const given = value.trim();
  if (/^\d+$/.test(given)) return Number(given);
  if (given.toLowerCase() === "false") return undefined;
  if (given.toLowerCase() === "true") {
    context.addIssue({
      code: "custom",
      message:
        "must not be true: that trusts every hop, so any client could forge X-Forwarded-For and choose its own address; give the number of proxies in front of the portal (e.g. 1) or their addresses",
    });
    return z.NEVER;
  }
  const entries = given.split(",").map((entry) => entry.trim());
  // Named by position, not echoed: no value is repeated in the message.
  const wrong = entries.flatMap((entry, i) => (isProxyEntry(entry) ? [] : [i + 1]));
  if (wrong.length > 0) {
    context.addIssue({
      code: "custom",
      message: `must be a number of proxy hops (e.g. 1) or a comma-separated list of addresses, subnets (e.g. 10.0.0.0/8) or loopback, linklocal, uniquelocal; entry ${wrong.join(", ")} is none of these`,
    });
    return z.NEVER;
  }
  return entries;
}

/** What production needs on top of well-formed values; checked on the raw values, so every problem is told at once. */
function productionProblems(env: Record<string, string>): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (!env.SESSION_SECRET) problems.push("SESSION_SECRET is required in production");
  else if (env.SESSION_SECRET.length < 32) problems.push("SESSION_SECRET must be at least 32 characters in production");
  if (!env.PUBLIC_URL) problems.push("PUBLIC_URL is required in production (links in emails use it)");
  if (!env.DATABASE_URL && !env.PGLITE_DATA_DIR)
    problems.push("DATABASE_URL is required in production (or PGLITE_DATA_DIR, naming the embedded database's folder)");
  return problems;
}

export type Config = z.infer<typeof schema> & {
  /** Which database: PostgreSQL, or the embedded one. */
  embedded: boolean;
  /** Whether this process runs the scheduled work itself. */
  workerInProcess: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The portal cannot start: its configuration is wrong.\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The environment's settings; empty strings count as unset. Throws a ConfigError naming every problem. */
export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = schema.safeParse(given);
  // Never echo a value: a secret might be among them.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`)),
    ...productionProblems(given as Record<string, string>),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const embedded = !parsed.data.DATABASE_URL;
  return { ...parsed.data, embedded, workerInProcess: parsed.data.WORKER_IN_PROCESS ?? embedded };
}

/** For a process's entry: the configuration, or every problem with it on standard error and exit code 1. */
export function readConfigOrExit(): Config {
  try {
    return readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
