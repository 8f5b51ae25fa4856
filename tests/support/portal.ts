import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { postgresFor } from "./engine.ts";
import { translate } from "#app/i18n/i18n.ts";
import type { Language } from "#db/types.ts";
import { DEMO_PASSWORD } from "#seeds/demo.ts";
import { DEMO_TOTP_SECRET, freshCode } from "./two-factor.ts";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../../server/compiled.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** Browser tests need Debian's Chromium. Missing on a developer's machine: skipped, and said so. In CI: a failure. */
export const chromiumMissing = !existsSync(CHROMIUM) && !process.env.CI;
if (chromiumMissing) console.warn(`Skipping browser tests: ${CHROMIUM} is not installed (apt-get install chromium).`);

/**
 * Whether `what`, browser tests that read or write the portal's database beside the running server,
 * cannot run: they need PostgreSQL (always there in CI), as an embedded database is open in the
 * portal's process alone.
 */
export const databaseBesideMissing = (what: string) => !postgresFor(`${what}, which reach into the portal's database`);

async function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningPortal {
  url: string;
  /** The current server process's id. */
  pid: () => number;
  database: TestDatabase;
  /** What the server printed, for a failing test's message. */
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Ends the server process with `signal` (SIGKILL: a crash) and starts a new one on the same
   * database and port, as a restart after a crash would. The database is kept.
   */
  restart(signal?: NodeJS.Signals): Promise<void>;
}

/** One server process: the compiled portal (production's build), on `port`, with `env` on top of this process's. */
export interface PortalProcess {
  url: string;
  /** The server process's id, to read its memory from /proc. */
  pid: number;
  output: () => string;
  /** Ends the process with `signal` and waits for it to exit; the exit code or signal it ended by. */
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export async function spawnPortal(env: Record<string, string>, { port }: { port?: number } = {}): Promise<PortalProcess> {
  if (!existsSync(COMPILED.portal)) throw new Error("No production build: run `npm run build` (npm test does).");
  const listenOn = port ?? (await freePort());
  let output = "";
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    PORT: String(listenOn),
    // Production requires the portal's address; links in emails are built from it. An https one, as
    // a real deployment has, so that cookies are Secure; forms posted to the server's own address
    // still pass the origin check.
    PUBLIC_URL: env.PUBLIC_URL ?? `https://127.0.0.1:${listenOn}`,
    NODE_ENV: "production",
    SESSION_SECRET: "test-secret-of-the-32-characters-production-needs",
  };
  // An embedded database asked for by name must not be overridden by a PostgreSQL one in the environment.
  if (env.PGLITE_DATA_DIR && !env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, [...COMPILED_NODE_OPTIONS, COMPILED.portal], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  const url = `http://127.0.0.1:${listenOn}`;
  // Generous: on a machine shared by many test runs, a start has taken over a minute.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The portal exited on start:\n${output}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The portal did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The compiled portal (production's build) on its own port, on a fresh copy of the demo database. */
export async function startPortal(env: Record<string, string> = {}): Promise<RunningPortal> {
  if (!existsSync(COMPILED.portal)) throw new Error("No production build: run `npm run build` (npm test does).");
  const folder = mkdtempSync(join(tmpdir(), "portal-server-"));
  const database = await createTestDatabase({ dataDir: process.env.TEST_DATABASE_URL ? undefined : join(folder, "data") });
  let server = await spawnPortal({ ...database.env, ...env });
  const port = Number(new URL(server.url).port);
  let earlier = "";
  return {
    url: server.url,
    pid: () => server.pid,
    database,
    output: () => earlier + server.output(),
    async stop(signal = "SIGTERM") {
      await server.kill(signal);
      await database.destroy();
      rmSync(folder, { recursive: true, force: true });
    },
    async restart(signal = "SIGKILL") {
      await server.kill(signal);
      earlier += `${server.output()}\n--- restarted after ${signal}\n`;
      server = await spawnPortal({ ...database.env, ...env }, { port });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page (through DevTools, so the page's CSP is left as it is) and expects no violations. */
export async function expectNoAxeViolations(page: Page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (o: object) => Promise<{ violations: unknown[] }> } }).axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations as { id: string; help: string; nodes: { target: string[] }[] }[];
  });
  expect(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe on ${page.url()}`,
  ).toEqual([]);
}

/** A refused form's page, as GOV.UK shows one: the error summary, "Error: " before the title, axe clean. */
export async function expectRefusedForm(page: Page) {
  await page.locator(".govuk-error-summary").waitFor();
  await expect(page.title()).resolves.toMatch(/^Error: /);
  await expectNoAxeViolations(page);
}

/** Collects what the browser reports against the page: CSP refusals, script errors. */
export function watchForPageErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/**
 * The sign-in page's first step, in `lang` (the page's language, chosen before): email and
 * password, then on to wherever the portal sends the person, the code page for a second factor.
 */
export async function enterPassword(
  page: Page,
  url: string,
  email: string,
  password = DEMO_PASSWORD,
  { lang = "en" }: { lang?: Language } = {},
) {
  await page.goto(`${url}/login`);
  await page.getByLabel(translate(lang, "login.email")).fill(email);
  await page.getByLabel(translate(lang, "login.password")).fill(password);
  await page.getByRole("button", { name: translate(lang, "login.submit") }).click();
  await page.waitForURL((u) => u.pathname !== "/login");
}

/** The code page's step: a code the portal has not yet accepted from the account's authenticator app. */
export async function enterCode(
  page: Page,
  url: string,
  email: string,
  { totpSecret = DEMO_TOTP_SECRET, lang = "en" }: { totpSecret?: string; lang?: Language } = {},
) {
  await page.getByLabel(translate(lang, "login.code.label"), { exact: true }).fill(await freshCode(totpSecret, `${url} ${email}`));
  await page.getByRole("button", { name: translate(lang, "login.code.submit") }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/**
 * Signs in through the sign-in page, as a person would: with a code from their authenticator app
 * when the portal asks for one (`totpSecret`: the demo coordinator's, unless another is given).
 */
export async function signInAs(
  page: Page,
  url: string,
  email: string,
  password = DEMO_PASSWORD,
  options: { totpSecret?: string; lang?: Language } = {},
) {
  await enterPassword(page, url, email, password, options);
  if (new URL(page.url()).pathname === "/login/code") await enterCode(page, url, email, options);
}

/**
 * Every page opened in `browser` from now on reports its script errors into `errors`. A page the
 * server renders well can still break once its script runs (a value the browser's bundle does not
 * have, say) and show the error page, though it was fine without JavaScript.
 */
function watchEveryPage(browser: Browser, errors: string[]) {
  const newContext = browser.newContext.bind(browser);
  // Browser.newPage opens its page through newContext, so this watches both.
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.on("page", (page) => {
      page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on("console", (message) => {
        // A page answered with an error status is logged by Chromium as a failed load; tests check statuses themselves.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
          errors.push(`${page.url()}: ${message.text()}`);
        }
      });
    });
    return context;
  };
}

/**
 * For a browser test file: the portal on its own database, and Chromium, for the whole file. A
 * test fails if any page it opened reported a script error.
 */
export function usePortalInChromium() {
  const running: { portal?: RunningPortal; browser?: Browser } = {};
  const scriptErrors: string[] = [];
  beforeAll(async () => {
    [running.portal, running.browser] = await Promise.all([startPortal(), launchChromium()]);
    watchEveryPage(running.browser, scriptErrors);
  }, 300_000);
  afterEach(() => {
    const seen = scriptErrors.splice(0);
    expect(seen, "script errors in the browser").toEqual([]);
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.portal?.stop();
  });
  return {
    get portal() {
      return running.portal!;
    },
    get browser() {
      return running.browser!;
    },
  };
}
