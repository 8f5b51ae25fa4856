/**
 * The environment is checked at start: in production the portal refuses to start without a session
 * secret of 32 characters, its public address and a database, and says all that is wrong at once.
 */
import { spawn } from "node:child_process";
import express from "express";
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

  it("reads TRUST_PROXY as a hop count or a list of proxies, each of which Express takes", () => {
    const trust = (value: string) => readConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    // A number, never the string "1", which Express would read as the address 0.0.0.1.
    expect(trust("1")).toBe(1);
    expect(trust(" 2 ")).toBe(2);
    expect(trust("0")).toBe(0);
    expect(trust("false")).toBeUndefined();
    expect(trust("")).toBeUndefined();
    expect(trust("loopback")).toEqual(["loopback"]);
    const list = trust("10.0.0.0/8, 192.168.1.1,uniquelocal, ::1, fd00::/8, linklocal");
    expect(list).toEqual(["10.0.0.0/8", "192.168.1.1", "uniquelocal", "::1", "fd00::/8", "linklocal"]);
    for (const value of [trust("1"), list]) expect(() => express().set("trust proxy", value)).not.toThrow();
  });

  it("refuses TRUST_PROXY=true, which would let any client forge its address, and anything Express would not take, by name", () => {
    expect(problemsOf({ TRUST_PROXY: "true" })).toEqual([
      "TRUST_PROXY must not be true: that trusts every hop, so any client could forge X-Forwarded-For and choose its own address; give the number of proxies in front of the portal (e.g. 1) or their addresses",
    ]);
    expect(problemsOf({ TRUST_PROXY: "TRUE" })).toHaveLength(1);
    for (const [value, entries] of [
      ["1.2.3", "1"],
      ["loopback, proxy.internal", "2"],
      ["10.0.0.0/0", "1"],
      ["10.0.0.0/33,::1/129", "1, 2"],
      ["fe80::1%eth0", "1"],
      ["-1", "1"],
      ["1.5", "1"],
    ] as const) {
      const problems = problemsOf({ TRUST_PROXY: value });
      expect(problems, value).toEqual([
        `TRUST_PROXY must be a number of proxy hops (e.g. 1) or a comma-separated list of addresses, subnets (e.g. 10.0.0.0/8) or loopback, linklocal, uniquelocal; entry ${entries} is none of these`,
      ]);
    }
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
