import { describe, expect, it } from "vitest";
import * as login from "#app/routes/login.tsx";
import * as code from "#app/routes/login_.code.tsx";
import * as twoFactorPage from "#app/routes/account.two-factor.tsx";
import * as logout from "#app/routes/logout.ts";
import * as catalogue from "#app/routes/catalogue._index.tsx";
import * as reset from "#app/routes/admin.users.$userId.two-factor.tsx";
import { answerChallenge, startChallenge, TWO_FACTOR } from "#app/models/two-factor.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { get, OFFICER, post, routeArgs, run, signIn } from "../support/requests.ts";
import { codeForStep, currentStep, DEMO_TOTP_SECRET, freshCode, giveSecondFactor } from "../support/two-factor.ts";

const ADDRESS = "192.0.2.77";

/** A browser's sign-in with the password: the anonymous CSRF cookie and token, and the code step's cookie if one was set. */
async function passwordStep(email: string) {
  const page = (await login.loader({ request: get("/login"), params: {}, context: {} } as never)) as unknown as {
    data: { csrf: string };
    init: { headers: Record<string, string> };
  };
  const csrf = { token: page.data.csrf, cookie: page.init.headers["Set-Cookie"]!.split(";")[0]! };
  const request = post("/login", { csrf: csrf.token, email, password: "demo-password-2023", returnTo: "/catalogue" });
  request.headers.set("Cookie", csrf.cookie);
  const outcome = await run(() => login.action({ request, params: {}, context: { clientAddress: ADDRESS } } as never));
  const setCookies = outcome.kind === "response" ? outcome.response.headers.getSetCookie() : [];
  const challenge = setCookies.find((c) => c.startsWith("__sign_in_code="))?.split(";")[0] ?? "";
  return { outcome, csrf, challenge };
}

/** Posts the code form as that browser would. */
async function postCode(step: Awaited<ReturnType<typeof passwordStep>>, fields: Record<string, string>, { csrf = true } = {}) {
  const request = post("/login/code", { ...(csrf ? { csrf: step.csrf.token } : {}), returnTo: "/catalogue", kind: "code", ...fields });
  request.headers.set("Cookie", [step.csrf.cookie, step.challenge].filter(Boolean).join("; "));
  const context: Record<string, unknown> = { clientAddress: ADDRESS };
  const outcome = await run(() => code.action({ request, params: {}, context } as never));
  return { outcome, context };
}

describe("the code step of signing in", () => {
  const db = useDemoDatabase();

  async function withSecondFactor(email: string) {
    const user = await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow();
    await giveSecondFactor(db(), user.id);
    return user.id;
  }

  it("opens no session after the right password, only a challenge bound to a cookie; a right code opens it once", async () => {
    const userId = await withSecondFactor(OFFICER.cardiff);
    const sessionsBefore = await db().selectFrom("session").select("id").where("user_id", "=", userId).execute();
    const step = await passwordStep(OFFICER.cardiff);
    expect(step.outcome).toMatchObject({ kind: "response", status: 302, location: "/login/code?returnTo=%2Fcatalogue" });
    expect(step.challenge).toMatch(/^__sign_in_code=.+/);
    const cookie = step.outcome.kind === "response" ? step.outcome.response.headers.getSetCookie()[0]! : "";
    expect(cookie).toMatch(/HttpOnly; SameSite=Lax/);
    expect(await db().selectFrom("session").select("id").where("user_id", "=", userId).execute()).toHaveLength(sessionsBefore.length);

    // Without the cookie, the code page is not there: back to the password.
    const bare = await run(() => code.loader({ request: get("/login/code"), params: {}, context: {} } as never));
    expect(bare).toMatchObject({ kind: "response", status: 302, location: "/login" });

    const right = await postCode(step, { code: await freshCode(DEMO_TOTP_SECRET, `route ${OFFICER.cardiff}`) });
    expect(right.outcome).toMatchObject({ kind: "response", status: 302, location: "/catalogue" });
    const cookies = right.outcome.kind === "response" ? right.outcome.response.headers.getSetCookie() : [];
    expect(cookies[0]).toMatch(/^__sign_in_code=; Max-Age=0/);
    expect(cookies.some((c) => /^__session=.+; Max-Age=28800/.test(c))).toBe(true);
    expect(await db().selectFrom("session").select("id").where("user_id", "=", userId).execute()).toHaveLength(sessionsBefore.length + 1);
    const audit = await db()
      .selectFrom("audit_log")
      .select(["action", "after"])
      .where("entity_key", "=", String(userId))
      .where("action", "in", ["session.password_accepted", "session.sign_in"])
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["session.password_accepted", "session.sign_in"]);
    expect(audit[1]!.after).toMatchObject({ second_factor: "totp", address: ADDRESS });
    // The session and the account say where and when, for the person's sessions and the accounts page.
    const opened = await db()
      .selectFrom("session")
      .select(["address", "last_used_at"])
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(opened).toMatchObject({ address: ADDRESS });
    const account = await db().selectFrom("app_user").select("last_signed_in_at").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(account.last_signed_in_at).not.toBeNull();

    // The challenge is used: the same cookie cannot open a second session.
    const again = await postCode(step, { code: await freshCode(DEMO_TOTP_SECRET, `route ${OFFICER.cardiff}`) });
    expect(again.outcome).toMatchObject({ kind: "response", status: 302, location: "/login?again=1" });
  });

  it("refuses a code already used, within its window, even from a new sign-in", async () => {
    await withSecondFactor(OFFICER.newport);
    const used = codeForStep(DEMO_TOTP_SECRET, currentStep());
    const first = await postCode(await passwordStep(OFFICER.newport), { code: used });
    expect(first.outcome).toMatchObject({ kind: "response", status: 302, location: "/catalogue" });
    const replay = await postCode(await passwordStep(OFFICER.newport), { code: used });
    expect(replay.outcome).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.invalid" } });
    expect(replay.context.pageHasErrors).toBe(true);
    // An earlier step's code, inside the window of drift, is as used as the code itself.
    const earlier = await postCode(await passwordStep(OFFICER.newport), { code: codeForStep(DEMO_TOTP_SECRET, currentStep() - 1) });
    expect(earlier.outcome).toMatchObject({ kind: "data", status: 400 });
  });

  it("ends a sign-in after 5 wrong codes, and refuses codes for 15 minutes after 10 on one account", async () => {
    const userId = await withSecondFactor(OFFICER.conwy);
    const wrong = codeForStep(DEMO_TOTP_SECRET, currentStep() - 20);
    const first = await passwordStep(OFFICER.conwy);
    for (let i = 0; i < TWO_FACTOR.failuresPerChallenge; i++) {
      expect((await postCode(first, { code: wrong })).outcome).toMatchObject({ status: 400, data: { error: "login.code.error.invalid" } });
    }
    // Gone, even for the right code: the person starts again from the password.
    const right = await postCode(first, { code: codeForStep(DEMO_TOTP_SECRET, currentStep()) });
    expect(right.outcome).toMatchObject({ kind: "response", status: 302, location: "/login?again=1" });

    const second = await passwordStep(OFFICER.conwy);
    for (let i = 0; i < TWO_FACTOR.failuresPerAccount - TWO_FACTOR.failuresPerChallenge; i++) {
      expect((await postCode(second, { code: wrong })).outcome).toMatchObject({ status: 400 });
    }
    const third = await passwordStep(OFFICER.conwy);
    const refused = await postCode(third, { code: await freshCode(DEMO_TOTP_SECRET, `route ${OFFICER.conwy}`) });
    expect(refused.outcome).toMatchObject({ kind: "data", status: 429, data: { error: "login.code.error.throttled" } });
    const audit = await db().selectFrom("audit_log").select("action").where("entity_key", "=", String(userId)).execute();
    expect(audit.filter((a) => a.action === "two_factor.code_wrong")).toHaveLength(TWO_FACTOR.failuresPerAccount);
    expect(audit.filter((a) => a.action === "two_factor.code_refused")).toHaveLength(1);
  });

  it("counts guesses sent at once one after another", async () => {
    const userId = await withSecondFactor("officer.powys@authorities.example");
    const token = await startChallenge(db(), userId, ADDRESS);
    const guesses = Array.from({ length: 12 }, (_, i) => String(100_000 + i));
    const results = await Promise.all(
      guesses.map((guess) => answerChallenge(db(), token, { kind: "code", value: guess }, { address: ADDRESS })),
    );
    const reasons = results.map((r) => (r.ok ? "ok" : r.reason));
    expect(reasons.filter((r) => r === "invalid").length).toBeLessThanOrEqual(TWO_FACTOR.failuresPerChallenge);
    const challenge = await db().selectFrom("sign_in_challenge").select("failures").where("user_id", "=", userId).executeTakeFirstOrThrow();
    expect(challenge.failures).toBe(reasons.filter((r) => r === "invalid").length);
  });

  it("lets a challenge last 5 minutes", async () => {
    const userId = await withSecondFactor("officer.torfaen@authorities.example");
    const token = await startChallenge(db(), userId, ADDRESS, new Date(Date.now() - (TWO_FACTOR.challengeMinutes * 60_000 + 1000)));
    const result = await answerChallenge(
      db(),
      token,
      { kind: "code", value: codeForStep(DEMO_TOTP_SECRET, currentStep()) },
      { address: ADDRESS },
    );
    expect(result).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses the code form without its CSRF token, and bad input with a message, never a 500", async () => {
    await withSecondFactor("officer.wrexham@authorities.example");
    const step = await passwordStep("officer.wrexham@authorities.example");
    const noCsrf = await postCode(step, { code: "123456" }, { csrf: false });
    expect(noCsrf.outcome).toMatchObject({ kind: "response", status: 403 });
    for (const [fields, error] of [
      [{ code: "" }, "login.code.error.missing"],
      [{ code: "12345a" }, "login.code.error.format"],
      [{ code: "1".repeat(5000) }, "login.code.error.format"],
      [{ kind: "recoveryCode", recoveryCode: "" }, "login.code.error.recoveryMissing"],
      [{ kind: "recoveryCode", recoveryCode: "x".repeat(5000) }, "login.code.error.recoveryInvalid"],
      [{ kind: "recoveryCode", recoveryCode: "'; drop table app_user; --" }, "login.code.error.recoveryInvalid"],
    ] as const) {
      expect((await postCode(step, fields)).outcome, JSON.stringify(fields).slice(0, 60)).toMatchObject({ status: 400, data: { error } });
    }
  });
});

describe("coordinators and admins must have a second factor", () => {
  const db = useDemoDatabase();

  it("sends a coordinator without one to set it up, from every page but that one and signing out", async () => {
    const created = await db()
      .insertInto("app_user")
      .values({ email: "new.coordinator@adss-cymru.example", name: "New Coordinator", role: "coordinator" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const coordinator = await signIn(db(), "new.coordinator@adss-cymru.example");
    const page = await run(() => catalogue.loader(routeArgs(get("/catalogue?x=1", coordinator)) as never));
    expect(page).toMatchObject({ kind: "response", status: 302, location: "/account/two-factor?returnTo=%2Fcatalogue%3Fx%3D1" });
    const setUp = await run(() => twoFactorPage.loader(routeArgs(get("/account/two-factor", coordinator)) as never));
    expect(setUp).toMatchObject({ kind: "data", data: { required: true, state: { confirmed: false } } });

    // A wrong code turns nothing on; the right one does, and gives recovery codes once.
    const secret = (setUp as { data: { state: { secret: string } } }).data.state.secret;
    const wrong = await run(() =>
      twoFactorPage.action(routeArgs(post("/account/two-factor", { code: codeForStep(secret, currentStep() - 9) }, coordinator)) as never),
    );
    expect(wrong).toMatchObject({ status: 400, data: { error: "login.code.error.invalid" } });
    const noCsrf = await run(() =>
      twoFactorPage.action(routeArgs(post("/account/two-factor", { code: "123456" }, coordinator, { csrf: false })) as never),
    );
    expect(noCsrf).toMatchObject({ kind: "response", status: 403 });
    for (const [bad, error] of [
      ["", "login.code.error.missing"],
      ["12 34 5x", "login.code.error.format"],
      ["9".repeat(100_000), "login.code.error.format"],
    ] as const) {
      const refused = await run(() => twoFactorPage.action(routeArgs(post("/account/two-factor", { code: bad }, coordinator)) as never));
      expect(refused).toMatchObject({ status: 400, data: { error } });
    }
    const right = await run(() =>
      twoFactorPage.action(routeArgs(post("/account/two-factor", { code: codeForStep(secret, currentStep()) }, coordinator)) as never),
    );
    expect(right).toMatchObject({ kind: "data", status: 200 });
    expect((right as { data: { recoveryCodes: string[] } }).data.recoveryCodes).toHaveLength(TWO_FACTOR.recoveryCodes);
    const again = await run(() =>
      twoFactorPage.action(routeArgs(post("/account/two-factor", { code: codeForStep(secret, currentStep() + 1) }, coordinator)) as never),
    );
    expect(again).toMatchObject({ data: { recoveryCodes: null } });
    expect(await db().selectFrom("recovery_code").select("id").where("user_id", "=", created.id).execute()).toHaveLength(10);

    const now = await run(() => catalogue.loader(routeArgs(get("/catalogue", coordinator)) as never));
    expect(now).toMatchObject({ kind: "data", status: 200 });
  });

  it("lets a coordinator without one sign out", async () => {
    await db()
      .insertInto("app_user")
      .values({ email: "leaving.coordinator@adss-cymru.example", name: "Leaving", role: "coordinator" })
      .execute();
    const coordinator = await signIn(db(), "leaving.coordinator@adss-cymru.example");
    const out = await run(() => logout.action(routeArgs(post("/logout", {}, coordinator)) as never));
    expect(out).toMatchObject({ kind: "response", status: 302, location: "/login" });
  });

  it("leaves officers and analysts to choose", async () => {
    const analyst = await signIn(db(), "analyst@gov-wales.example");
    const page = await run(() => catalogue.loader(routeArgs(get("/catalogue", analyst)) as never));
    expect(page).toMatchObject({ kind: "data", status: 200 });
    const setUp = await run(() => twoFactorPage.loader(routeArgs(get("/account/two-factor", analyst)) as never));
    expect(setUp).toMatchObject({ kind: "data", data: { required: false } });
  });
});

describe("an admin's reset of a second factor", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();

  it("needs a reason, refuses the admin's own, and takes the factor, codes and sessions away, audited", async () => {
    const admin = await signIn(db(), "coordinator@adss-cymru.example");
    const officer = await db().selectFrom("app_user").select("id").where("email", "=", OFFICER.cardiff).executeTakeFirstOrThrow();
    await giveSecondFactor(db(), officer.id);
    await db()
      .insertInto("recovery_code")
      .values({ user_id: officer.id, code_hash: "a".repeat(64) })
      .execute();
    const theirSession = await signIn(db(), OFFICER.cardiff);
    const path = `/admin/users/${officer.id}/two-factor`;
    const args = (fields: Record<string, string>, id = String(officer.id)) =>
      routeArgs(post(`/admin/users/${id}/two-factor`, fields, admin), { userId: id }) as never;

    expect(await run(() => reset.action(args({ reason: "  " })))).toMatchObject({
      status: 400,
      data: { error: "accountReason.error.missing" },
    });
    expect(await run(() => reset.action(args({ reason: "x".repeat(1001) })))).toMatchObject({
      status: 400,
      data: { error: "accountReason.error.tooLong" },
    });
    expect(await run(() => reset.action(args({ reason: "mine" }, String(admin.userId))))).toMatchObject({
      status: 400,
      data: { error: "resetTwoFactor.error.self" },
    });
    // The page has no reason field for the admin's own account: the error summary links to what it says instead.
    const own = await (await portal.page(post(`/admin/users/${admin.userId}/two-factor`, { reason: "mine" }, admin))).text();
    expect(own).toMatch(/<div class="govuk-error-summary__body"><ul [^>]*><li><a href="#reset-self">/);
    expect(own).toContain('id="reset-self"');
    expect(await run(() => reset.action(args({ reason: "x" }, "999999")))).toMatchObject({ kind: "response", status: 404 });
    const noCsrf = post(path, { reason: "x" }, admin, { csrf: false });
    expect(await run(() => reset.action(routeArgs(noCsrf, { userId: String(officer.id) }) as never))).toMatchObject({ status: 403 });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).execute()).toHaveLength(1);

    const done = await run(() => reset.action(args({ reason: "Lost phone" })));
    expect(done).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=twoFactorReset" });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).execute()).toHaveLength(0);
    expect(await db().selectFrom("recovery_code").select("id").where("user_id", "=", officer.id).execute()).toHaveLength(0);
    const page = await run(() => catalogue.loader(routeArgs(get("/catalogue", theirSession)) as never));
    expect(page).toMatchObject({ kind: "response", status: 302 });
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "two_factor.reset").executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: admin.userId, entity_key: String(officer.id), reason: "Lost phone" });
  });
});

describe("turning a chosen second factor off", () => {
  const db = useDemoDatabase();

  it("needs a current code from the app, refuses a wrong or used one (audited, counted), and takes the factor and codes away", async () => {
    const officer = await db().selectFrom("app_user").select("id").where("email", "=", OFFICER.newport).executeTakeFirstOrThrow();
    await giveSecondFactor(db(), officer.id);
    await db()
      .insertInto("recovery_code")
      .values({ user_id: officer.id, code_hash: "a".repeat(64) })
      .execute();
    const visitor = await signIn(db(), OFFICER.newport);
    const turnOff = (code: string, { csrf = true } = {}) =>
      run(() => twoFactorPage.action(routeArgs(post("/account/two-factor", { intent: "turnOff", code }, visitor, { csrf }))));

    const page = await run(() => twoFactorPage.loader(routeArgs(get("/account/two-factor", visitor))));
    expect(page).toMatchObject({ kind: "data", data: { required: false, state: { confirmed: true } } });
    expect(await turnOff("")).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.missing" } });
    expect(await turnOff("12345x")).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.format" } });
    const current = codeForStep(DEMO_TOTP_SECRET, currentStep());
    const wrong = String((Number(current) + 1) % 1_000_000).padStart(6, "0");
    expect(await turnOff(wrong)).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.invalid" } });
    expect((await turnOff(current, { csrf: false })).status).toBe(403);
    // A code of a step already used (at sign-in, say) is refused.
    await db()
      .updateTable("two_factor")
      .set({ last_used_step: currentStep() + 1 })
      .where("user_id", "=", officer.id)
      .execute();
    expect(await turnOff(current)).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.invalid" } });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).execute()).toHaveLength(1);
    const wrongs = await db().selectFrom("audit_log").select("id").where("action", "=", "two_factor.turn_off_code_wrong").execute();
    expect(wrongs).toHaveLength(2);

    await db().updateTable("two_factor").set({ last_used_step: null }).where("user_id", "=", officer.id).execute();
    expect(await turnOff(codeForStep(DEMO_TOTP_SECRET, currentStep()))).toMatchObject({
      kind: "response",
      status: 302,
      location: "/account/two-factor?done=off",
    });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).execute()).toEqual([]);
    expect(await db().selectFrom("recovery_code").select("id").where("user_id", "=", officer.id).execute()).toEqual([]);
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "two_factor.turn_off").executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: officer.id, entity_key: String(officer.id), after: { two_factor: false } });
  });

  it("refuses codes after 10 wrong ones in 15 minutes, and never turns a coordinator's off", async () => {
    const officer = await db().selectFrom("app_user").select("id").where("email", "=", OFFICER.conwy).executeTakeFirstOrThrow();
    await giveSecondFactor(db(), officer.id);
    const visitor = await signIn(db(), OFFICER.conwy);
    const turnOff = (code: string) =>
      run(() => twoFactorPage.action(routeArgs(post("/account/two-factor", { intent: "turnOff", code }, visitor))));
    const current = codeForStep(DEMO_TOTP_SECRET, currentStep());
    const wrong = String((Number(current) + 500_000) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 10; i++) await turnOff(wrong);
    expect(await turnOff(current)).toMatchObject({ kind: "data", status: 400, data: { error: "login.code.error.throttledHere" } });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).execute()).toHaveLength(1);

    const coordinator = await signIn(db(), "coordinator@adss-cymru.example");
    const refused = await run(() =>
      twoFactorPage.action(
        routeArgs(post("/account/two-factor", { intent: "turnOff", code: codeForStep(DEMO_TOTP_SECRET, currentStep()) }, coordinator)),
      ),
    );
    expect(refused).toMatchObject({ kind: "data", status: 400, data: { error: "twoFactor.off.required" } });
    expect(await db().selectFrom("two_factor").select("user_id").where("user_id", "=", coordinator.userId).execute()).toHaveLength(1);
  });
});
