/**
 * The process's one logger: JSON lines (pino) on standard output, for the platform to collect.
 * On globalThis, so the server (server/) and the Remix build share it. Log ids and shapes, never
 * a password, a token, a cookie or a figure: the fields below are removed should one slip in.
 */
import { pino, type Logger } from "pino";

declare global {
  var __portalLogger: Logger | undefined;
}

export const REDACTED_FIELDS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "cookie",
  "*.cookie",
  "authorization",
  "*.authorization",
  "headers",
  "*.headers",
  "body",
  "*.body",
];

export function logger(): Logger {
  globalThis.__portalLogger ??= pino({
    level: process.env.LOG_LEVEL || "info",
    base: { service: "portal", pid: process.pid },
    redact: { paths: REDACTED_FIELDS, censor: "[removed]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return globalThis.__portalLogger;
}
