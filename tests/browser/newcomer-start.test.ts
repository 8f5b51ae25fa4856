/**
 * `npm start` as a newcomer runs it: nothing set, the embedded database, a browser at
 * http://localhost. It runs in production mode, and the newcomer can sign in: the cookies are not
 * marked Secure there, since Safari drops Secure cookies over plain http even on localhost. The
 * scheduled worker runs inside the portal's process there.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, launchChromium, signInAs } from "../support/portal.ts";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../../server/compiled.ts";

async function freePort() {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(chromiumMissing)("npm start on a newcomer's machine", () => {
  const folder = mkdtempSync(join(tmpdir(), "portal-newcomer-"));
  let child: ChildProcess;
  let output = "";
  let url = "";
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PGLITE_DATA_DIR: join(folder, "data") };
    for (const name of ["DATABASE_URL", "NODE_ENV", "PUBLIC_URL", "SESSION_SECRET"]) delete env[name];
    // What `npm start` runs once the build is done.
    child = spawn(process.execPath, [...COMPILED_NODE_OPTIONS, COMPILED.start], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    url = `http://localhost:${port}`;
    browser = await launchChromium();
    // The first start creates the embedded database and loads the demo data.
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 450) throw new Error(`npm start did not answer in 90 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves the production build, and the newcomer signs in at http://localhost", async () => {
    const page = await browser.newPage();
    const login = await page.goto(`${url}/login`);
    // Only production sends Strict-Transport-Security.
    expect(login!.headers()["strict-transport-security"]).toBeDefined();
    await signInAs(page, url, "coordinator@adss-cymru.example");
    await expect(page.locator("h1").textContent()).resolves.toBe("Information requests");
    const session = (await page.context().cookies()).find((c) => c.name === "__session");
    expect(session).toMatchObject({ httpOnly: true, secure: false, sameSite: "Lax" });
    await page.close();
  });

  it("runs the scheduled worker in the portal's own process: /readyz reads its heartbeat", async () => {
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: "ok", migrations: "ok", worker: "ok" } });
    expect(output).toContain('"msg":"worker started"');
  });
});
