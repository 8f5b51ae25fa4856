/**
 * The whole environment, checked once at start with zod. In production the portal refuses to
 * start without a session secret of at least 32 characters, its public address and a database,
 * and says everything that is wrong in one message rather than failing on the first request that
 * needs it. `scripts/start.ts` fills in a newcomer's defaults on the embedded database before this
 * runs, so `npm ci && npm start` still works with nothing set.
 */
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
  TRUST_PROXY: z.string().optional(),
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
