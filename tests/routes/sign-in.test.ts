import { describe, expect, it } from "vitest";
import * as login from "#app/routes/login.tsx";
import * as logout from "#app/routes/logout.ts";
import { loader as rootLoader } from "#app/root.tsx";
import { delayFor, signIn as signInModel, THROTTLE } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { get, OFFICER, post, run, signIn } from "../support/requests.ts";

/** Posts the sign-in form as a browser would: the page's CSRF cookie and token, from one network address. */
async function postSignIn(fields: Record<string, string>, { address = "192.0.2.10", cookie = "" } = {}) {
  const page = (await login.loader({ request: get("/login"), params: {}, context: {} } as never)) as unknown as {
    data: { csrf: string };
    init: { headers: Record<string, string> };
  };
  const csrfCookie = page.init.headers["Set-Cookie"]!.split(";")[0]!;
  const request = post("/login", { csrf: page.data.csrf, ...fields });
  request.headers.set("Cookie", [csrfCookie, cookie].filter(Boolean).join("; "));
  const context: Record<string, unknown> = { clientAddress: address };
  const outcome = await run(() => login.action({ request, params: {}, context } as never));
  return { outcome, context };
}

describe("signing in and out", () => {
  const db = useDemoDatabase();

  it("signs in with the right password: a new session in the database, an httpOnly SameSite cookie, audited", async () => {
    const { outcome } = await postSignIn({
      email: " Officer.Cardiff@authorities.example ",
      password: "demo-password-2023",
      returnTo: "/returns/x/y",
    });
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/returns/x/y" });
    const cookies = outcome.kind === "response" ? outcome.response.headers.getSetCookie() : [];
    expect(cookies[0]).toMatch(/^__session=.+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toMatch(/^lang=en;/);
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "session.sign_in").execute();
    expect(audit).toHaveLength(1);
  });

  it("says the same thing for a wrong password and for an account that does not exist", async () => {
    const wrong = await postSignIn({ email: OFFICER.conwy, password: "not-it" });
    const unknown = await postSignIn({ email: "nobody@authorities.example", password: "not-it" });
    for (const { outcome, context } of [wrong, unknown]) {
      expect(outcome).toMatchObject({ kind: "data", status: 400, data: { errors: { email: "login.error.invalid" } } });
      expect(context.pageHasErrors).toBe(true);
    }
    const failures = await db().selectFrom("audit_log").select("entity_key").where("action", "=", "session.sign_in_failed").execute();
    expect(failures.map((f) => f.entity_key).sort()).toEqual([expect.stringMatching(/^\d+$/), "nobody@authorities.example"]);
  });

  it("asks for what is missing", async () => {
    const { outcome } = await postSignIn({ email: "", password: "" });
    expect(outcome).toMatchObject({
      status: 400,
      data: { errors: { email: "login.error.emailMissing", password: "login.error.passwordMissing" } },
    });
  });

  it("refuses a sign-in form without its CSRF token", async () => {
    const request = post("/login", { email: OFFICER.cardiff, password: "demo-password-2023" });
    const outcome = await run(() => login.action({ request, params: {}, context: {} } as never));
    expect(outcome).toMatchObject({ kind: "response", status: 403 });
  });

  it("slows repeated failures, then refuses even the right password for a while, per account and per address", async () => {
    expect([0, 1, 2].map(delayFor)).toEqual([0, 0, 0]);
    expect(delayFor(3)).toBeGreaterThan(0);
    expect(delayFor(4)).toBeGreaterThan(delayFor(3));
    expect(delayFor(50)).toBe(THROTTLE.maxDelayMs);

    const waits: number[] = [];
    const attempt = (password: string, address = "198.51.100.7") =>
      signInModel(db(), { email: OFFICER.newport, password, address, sleep: async (ms) => void waits.push(ms) });
    for (let i = 0; i < THROTTLE.refuseAfterForEmail; i++) expect(await attempt("wrong")).toEqual({ ok: false, reason: "invalid" });
    expect(waits.filter((ms) => ms > 0).length).toBe(THROTTLE.refuseAfterForEmail - THROTTLE.slowAfter);
    expect(await attempt("demo-password-2023")).toMatchObject({ ok: false, reason: "throttled" });
    // From another address too: the count is per account.
    expect(await attempt("demo-password-2023", "203.0.113.9")).toMatchObject({ ok: false, reason: "throttled" });

    const { outcome } = await postSignIn({ email: OFFICER.newport, password: "demo-password-2023" });
    expect(outcome).toMatchObject({ status: 429, data: { errors: { email: "login.error.throttled" } } });

    // And per network address, whatever the accounts tried.
    const address = "198.51.100.99";
    await db()
      .insertInto("sign_in_attempt")
      .values(
        Array.from({ length: THROTTLE.refuseAfterForAddress }, (_, i) => ({ email: `guess${i}@example.org`, address, succeeded: false })),
      )
      .execute();
    expect(await signInModel(db(), { email: OFFICER.conwy, password: "demo-password-2023", address, sleep: async () => {} })).toMatchObject(
      {
        reason: "throttled",
      },
    );
  });

  it("gives a new session id at each sign-in and ends the one the browser had", async () => {
    const before = await signIn(db(), OFFICER.cardiff);
    const { outcome } = await postSignIn({ email: OFFICER.cardiff, password: "demo-password-2023" }, { cookie: before.cookie });
    expect(outcome.status).toBe(302);
    const fresh = outcome.kind === "response" ? outcome.response.headers.getSetCookie()[0]!.split(";")[0]! : "";
    expect(fresh).not.toBe(before.cookie);
    const stale = await rootLoader({ request: get("/", before), params: {}, context: {} } as never);
    expect(stale.user).toBeNull();
  });

  it("signs out: the session is revoked in the database, the cookie cleared", async () => {
    const visitor = await signIn(db(), OFFICER.cardiff);
    const signedIn = await rootLoader({ request: get("/", visitor), params: {}, context: {} } as never);
    expect(signedIn.user?.name).toBe("Demo Officer (Cardiff)");
    const outcome = await run(() => logout.action({ request: post("/logout", {}, visitor), params: {}, context: {} } as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/login" });
    expect(outcome.kind === "response" && outcome.response.headers.get("Set-Cookie")).toMatch(/^__session=; Max-Age=0/);
    const after = await rootLoader({ request: get("/", visitor), params: {}, context: {} } as never);
    expect(after.user).toBeNull();
    const revoked = await db()
      .selectFrom("session")
      .select("revoked_at")
      .where("user_id", "=", visitor.userId)
      .where("revoked_at", "is not", null)
      .execute();
    expect(revoked.length).toBeGreaterThan(0);
  });

  it("refuses a sign-out without the CSRF token", async () => {
    const visitor = await signIn(db(), OFFICER.cardiff);
    const outcome = await run(() =>
      logout.action({ request: post("/logout", {}, visitor, { csrf: false }), params: {}, context: {} } as never),
    );
    expect(outcome).toMatchObject({ kind: "response", status: 403 });
  });
});
