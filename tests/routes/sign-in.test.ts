import { describe, expect, it } from "vitest";
import * as login from "#app/routes/login.tsx";
import * as logout from "#app/routes/logout.ts";
import { loader as rootLoader } from "#app/root.tsx";
import { delayFor, signIn as signInModel, THROTTLE } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { get, OFFICER, post, run, signIn } from "../support/requests.ts";

/** Posts the sign-in form as a browser would: the page's CSRF cookie and token, from one network address. */
// Demo officers of their own for the throttling tests, which share one database.
const [SWANSEA, POWYS, GWYNEDD, WREXHAM, CEREDIGION] = ["swansea", "powys", "gwynedd", "wrexham", "ceredigion"].map(
  (a) => `officer.${a}@authorities.example`,
) as [string, string, string, string, string];

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

  const attempt = (email: string, password: string, address: string, waits: number[] = []) =>
    signInModel(db(), { email, password, address, sleep: async (ms) => void waits.push(ms) });
  const fail = async (email: string, address: string, times: number) => {
    for (let i = 0; i < times; i++) expect(await attempt(email, `wrong-${i}`, address)).toEqual({ ok: false, reason: "invalid" });
  };

  it("slows repeated failures from one address, then refuses that address for that account, even the right password", async () => {
    expect([0, 1, 2].map(delayFor)).toEqual([0, 0, 0]);
    expect(delayFor(3)).toBeGreaterThan(0);
    expect(delayFor(4)).toBeGreaterThan(delayFor(3));
    expect(delayFor(50)).toBe(THROTTLE.maxDelayMs);

    const waits: number[] = [];
    for (let i = 0; i < THROTTLE.refuseAfter; i++) {
      expect(await attempt(SWANSEA, "wrong", "198.51.100.7", waits)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(waits.filter((ms) => ms > 0).length).toBe(THROTTLE.refuseAfter - THROTTLE.slowAfter);
    expect(await attempt(SWANSEA, "demo-password-2023", "198.51.100.7")).toMatchObject({ ok: false, reason: "throttled" });
    const { outcome } = await postSignIn({ email: SWANSEA, password: "demo-password-2023" }, { address: "198.51.100.7" });
    expect(outcome).toMatchObject({ status: 429, data: { errors: { email: "login.error.throttled" } } });
  });

  it("lets the officer in with the right password from their own address while an attacker elsewhere is guessing", async () => {
    // Before: ten failures from anywhere refused the right password from everywhere for 15 minutes.
    await fail(OFFICER.newport, "203.0.113.66", THROTTLE.refuseAfter);
    const waits: number[] = [];
    expect(await attempt(OFFICER.newport, "demo-password-2023", "192.0.2.44", waits)).toMatchObject({ ok: true });
    expect(waits, "and without a wait").toEqual([0]);
    // Through the sign-in form as well, even after a typing mistake.
    await fail(OFFICER.newport, "192.0.2.10", 1);
    const { outcome } = await postSignIn({ email: OFFICER.newport, password: "demo-password-2023" });
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
    expect(await attempt(OFFICER.newport, "demo-password-2023", "203.0.113.66"), "the attacker's address stays refused").toMatchObject({
      reason: "throttled",
    });
  });

  it("while an account is under attack, gives each new address three failures, and an address it signs in from the usual ten", async () => {
    expect(await attempt(CEREDIGION, "demo-password-2023", "192.0.2.80")).toMatchObject({ ok: true });
    // Guesses spread over many addresses: each new one is refused after three.
    await fail(CEREDIGION, "203.0.113.1", THROTTLE.underAttackAfter);
    for (const address of ["203.0.113.2", "203.0.113.3"]) {
      await fail(CEREDIGION, address, THROTTLE.refuseAfterUnderAttack);
      expect(await attempt(CEREDIGION, "demo-password-2023", address)).toMatchObject({ reason: "throttled" });
    }
    // The officer's own office, where they signed in before, keeps its ten.
    await fail(CEREDIGION, "192.0.2.80", THROTTLE.refuseAfter - 1);
    expect(await attempt(CEREDIGION, "demo-password-2023", "192.0.2.80")).toMatchObject({ ok: true });
  });

  it("does not let a network address full of failures (a council's shared NAT) stop a colleague who signs in from it", async () => {
    const nat = "198.51.100.99";
    expect(await attempt(POWYS, "demo-password-2023", nat)).toMatchObject({ ok: true });
    await db()
      .insertInto("sign_in_attempt")
      .values(
        Array.from({ length: THROTTLE.refuseAfterForAddress }, (_, i) => ({
          email: `guess${i}@example.org`,
          address: nat,
          succeeded: false,
        })),
      )
      .execute();
    // Before: every account behind the address was refused for 15 minutes.
    expect(await attempt(POWYS, "demo-password-2023", nat)).toMatchObject({ ok: true });
    // The guesser behind it cannot go on to accounts that do not sign in from there, even with their password.
    expect(await attempt(GWYNEDD, "demo-password-2023", nat)).toMatchObject({ reason: "throttled" });
    expect(await attempt("guess99@example.org", "x", nat)).toMatchObject({ reason: "throttled" });
    // Elsewhere those accounts are untouched.
    expect(await attempt(GWYNEDD, "demo-password-2023", "192.0.2.81")).toMatchObject({ ok: true });
  });

  it("audits every refused attempt with why, and does not count it, so refusals never extend the wait", async () => {
    await fail(WREXHAM, "198.51.100.8", THROTTLE.refuseAfter);
    for (let i = 0; i < 5; i++) expect(await attempt(WREXHAM, "x", "198.51.100.8")).toMatchObject({ reason: "throttled" });
    const refused = await db()
      .selectFrom("audit_log")
      .select(["entity_key", "after"])
      .where("action", "=", "session.sign_in_refused")
      .where("entity_key", "=", WREXHAM)
      .execute();
    expect(refused).toHaveLength(5);
    expect(refused[0]).toMatchObject({
      entity_key: WREXHAM,
      after: { address: "198.51.100.8", because: "account_from_address", forEmailFromAddress: THROTTLE.refuseAfter },
    });
    const counted = await db().selectFrom("sign_in_attempt").select("id").where("email", "=", WREXHAM).execute();
    expect(counted).toHaveLength(THROTTLE.refuseAfter);
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
