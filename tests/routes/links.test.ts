/**
 * Where the portal sends people, and the links it writes: a return path with a character beyond
 * U+00FF answered 500 (and, on sign-in, made a session whose cookie was never sent), and invitation
 * links followed the request's Host header, so a request with `Host: evil.example` linked there.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as invite from "#app/routes/admin.users.new.tsx";
import * as language from "#app/routes/language.ts";
import * as login from "#app/routes/login.tsx";
import { publicBaseUrl } from "#app/email/mailer.server.ts";
import { safeReturnPath } from "#app/i18n/language.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { anonymousCsrfPair } from "../support/hardening.ts";
import { COORDINATOR, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

const HOSTILE_PATHS = ["/\u0100", "/caf\u00e9?x=\u0175#\u00e2", "/\u{1F600}", "/a\uD800"];

describe("return paths and links", () => {
  const db = useDemoDatabase();
  let admin: Visitor;
  const savedUrl = process.env.PUBLIC_URL;

  beforeAll(async () => {
    admin = await signIn(db(), COORDINATOR);
  });
  afterEach(() => {
    if (savedUrl === undefined) delete process.env.PUBLIC_URL;
    else process.env.PUBLIC_URL = savedUrl;
  });

  it("keeps every return path one a Location header can carry", () => {
    expect(safeReturnPath("/\u0100")).toBe("/%C4%80");
    expect(safeReturnPath("/caf\u00e9?x=\u0175#\u00e2")).toBe("/caf%C3%A9?x=%C5%B5#%C3%A2");
    expect(safeReturnPath("/a\uD800")).toBe("/");
    expect(safeReturnPath("/already%C4%80/encoded?a=b&c=d")).toBe("/already%C4%80/encoded?a=b&c=d");
    for (const path of HOSTILE_PATHS) expect(() => new Headers({ Location: safeReturnPath(path) })).not.toThrow();
  });

  it("switches the language and goes back to a path beyond U+00FF, not a 500", async () => {
    // The lone surrogate cannot be written in an address at all, so only the others.
    for (const path of HOSTILE_PATHS.slice(0, 3)) {
      const request = new Request(`http://localhost/language?lang=en&returnTo=${encodeURIComponent(path)}`);
      const outcome = await run(() => language.loader(routeArgs(request) as never));
      expect(outcome, path).toMatchObject({ kind: "response", status: 302 });
    }
  });

  it("signs in with such a return path: a redirect that carries the session cookie", async () => {
    const csrf = await anonymousCsrfPair();
    const request = post("/login", { csrf: csrf.token, email: OFFICER.cardiff, password: "demo-password-2023", returnTo: "/\u0100" });
    request.headers.set("Cookie", csrf.cookie);
    const outcome = await run(() => login.action({ ...routeArgs(request), context: { clientAddress: "192.0.2.80" } } as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/%C4%80" });
    const cookies = outcome.kind === "response" ? outcome.response.headers.getSetCookie() : [];
    expect(cookies.some((c) => c.startsWith("__session="))).toBe(true);
  });

  it("builds an invitation's link from PUBLIC_URL, whatever Host the request names", async () => {
    process.env.PUBLIC_URL = "https://portal.example.org/";
    const request = post(
      "/admin/users/new",
      { email: "host.header@authorities.example", name: "Host Header", role: "officer", authorityCode: "W06000015", language: "en" },
      admin,
    );
    const forged = new Request(request.url.replace("http://localhost", "http://evil.example"), {
      method: "POST",
      body: await request.text(),
      headers: { ...Object.fromEntries(request.headers), Host: "evil.example", "X-Forwarded-Host": "evil.example" },
    });
    const outcome = await run(() => invite.action({ request: forged, params: {}, context: {} } as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
    const email = await db()
      .selectFrom("outbox")
      .select("body")
      .where("to_email", "=", "host.header@authorities.example")
      .executeTakeFirstOrThrow();
    expect(email.body).toMatch(/https:\/\/portal\.example\.org\/set-password\/[A-Za-z0-9_-]+/);
    expect(email.body).not.toContain("evil.example");
  });

  it("requires PUBLIC_URL in production, and never falls back on the request", () => {
    expect(() => publicBaseUrl({ NODE_ENV: "production" })).toThrow(/PUBLIC_URL must be set/);
    expect(publicBaseUrl({ NODE_ENV: "production", PUBLIC_URL: "https://portal.example.org/" })).toBe("https://portal.example.org");
    expect(publicBaseUrl({ NODE_ENV: "development", PORT: "3000" })).toBe("http://localhost:3000");
  });
});
