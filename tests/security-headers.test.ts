/**
 * server/security-headers.ts: each response's CSP nonce is 16 random bytes of its own, drawn from a
 * pool that is refilled when it runs out, so a nonce is never used twice, across refills too.
 */
import type { Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "../server/security-headers.ts";

function nonceOfOneResponse(middleware: ReturnType<typeof securityHeaders>) {
  const headers = new Map<string, string>();
  const res = { locals: {} as Record<string, unknown>, setHeader: (name: string, value: string) => headers.set(name, value) };
  middleware({} as Request, res as unknown as Response, () => {});
  const nonce = res.locals.cspNonce as string;
  expect(headers.get("Content-Security-Policy")).toContain(`script-src 'self' 'nonce-${nonce}'`);
  return nonce;
}

describe("the CSP nonce", () => {
  it("is 16 bytes, and different on every response, through several refills of its pool", () => {
    const middleware = securityHeaders({ production: true });
    const nonces = Array.from({ length: 1000 }, () => nonceOfOneResponse(middleware));
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    expect(new Set(nonces).size).toBe(nonces.length);
  });
});
