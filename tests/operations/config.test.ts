/**
 * The environment is checked at start: in production the portal refuses to start without a session
 * secret of 32 characters, its public address and a database, and says all that is wrong at once.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "#app/config.server.ts";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../../server/compiled.ts";

function problemsOf(env: Record<string, string>) {
  try {
    readConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe("the configuration", () => {
  it("needs nothing in development: the embedded database, port 3000, the worker in the process", () => {
    expect(readConfig({})).toMatchObject({ NODE_ENV: "development", PORT: 3000, embedded: true, workerInProcess: true, LOG_LEVEL: "info" });
  });

  it("runs the worker in the process on PostgreSQL only when asked", () => {
    const url = "postgres://portal@db:5432/portal";
    expect(readConfig({ DATABASE_URL: url })).toMatchObject({ embedded: false, workerInProcess: false });
    expect(readConfig({ DATABASE_URL: url, WORKER_IN_PROCESS: "true" })).toMatchObject({ workerInProcess: true });
  });

  it("in production, names every missing setting in one go", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      "SESSION_SECRET is required in production",
      "PUBLIC_URL is required in production (links in emails use it)",
      "DATABASE_URL is required in production (or PGLITE_DATA_DIR, naming the embedded database's folder)",
    ]);
  });

  it("refuses a short secret and malformed values, without echoing any value", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      SESSION_SECRET: "short-secret-value",
      PUBLIC_URL: "ftp://portal.example",
      DATABASE_URL: "mysql://x",
      PORT: "eighty",
      SMTP_URL: "http://mail.example",
      METRICS_TOKEN: "tiny",
    });
    expect(problems).toEqual([
      "DATABASE_URL must be a postgres:// connection string",
      "PUBLIC_URL must be an http:// or https:// address",
      "SMTP_URL must be an smtp:// or smtps:// address",
      "PORT must be a whole number",
      "METRICS_TOKEN must be at least 16 characters",
      "SESSION_SECRET must be at least 32 characters in production",
    ]);
    expect(problems.join(" ")).not.toContain("short-secret-value");
  });

  it("accepts a complete production configuration, empty strings counting as unset", () => {
    const config = readConfig({
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(32),
      PUBLIC_URL: "https://returns.example.gov.wales",
      DATABASE_URL: "postgres://portal_app:x@db:5432/portal",
      SMTP_URL: "",
      PORT: "8080",
    });
    expect(config).toMatchObject({ PORT: 8080, embedded: false });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it("the server exits with the one message, before opening any database", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", SESSION_SECRET: "too-short" };
    for (const name of ["DATABASE_URL", "PGLITE_DATA_DIR", "PUBLIC_URL"]) delete env[name];
    const child = spawn(process.execPath, [...COMPILED_NODE_OPTIONS, COMPILED.portal], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("The portal cannot start: its configuration is wrong.");
    expect(output).toContain("SESSION_SECRET must be at least 32 characters in production");
    expect(output).toContain("PUBLIC_URL is required in production");
    expect(output).toContain("DATABASE_URL is required in production");
    expect(output).not.toContain("too-short");
  });
});
