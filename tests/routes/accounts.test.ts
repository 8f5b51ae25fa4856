import { beforeAll, describe, expect, it } from "vitest";
import * as users from "#app/routes/admin.users._index.tsx";
import * as invite from "#app/routes/admin.users.new.tsx";
import * as deactivate from "#app/routes/admin.users.$userId.deactivate.tsx";
import * as setPassword from "#app/routes/set-password.$token.tsx";
import { loader as rootLoader } from "#app/root.tsx";
import { findInvitation, INVITATION_DAYS, inviteUser, setPasswordWithInvitation } from "#app/models/account.server.ts";
import { hashToken } from "#app/models/session.server.ts";
import { signIn as signInModel } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { giveSecondFactor } from "../support/two-factor.ts";

const CARDIFF = "W06000015";
const GOOD_PASSWORD = "correct horse battery staple";

const noSleep = { sleep: async () => {} };

describe("accounts", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();
  let admin: Visitor;
  let officer: Visitor;
  let analyst: Visitor;
  let coordinator: Visitor;

  /** What an account change could touch, to show that a refused one changed nothing. */
  async function counts() {
    const count = async (table: "app_user" | "invitation" | "outbox" | "audit_log") =>
      Number(
        (
          await db()
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const activeUsers = await db().selectFrom("app_user").select("id").where("active", "=", true).execute();
    return {
      users: await count("app_user"),
      active: activeUsers.length,
      invitations: await count("invitation"),
      outbox: await count("outbox"),
      audit: await count("audit_log"),
    };
  }

  const audits = (action: string, entityKey: number) =>
    db().selectFrom("audit_log").selectAll().where("action", "=", action).where("entity_key", "=", String(entityKey)).execute();

  const inviteForm = (visitor: Visitor, fields: Record<string, string>) => {
    const context: Record<string, unknown> = {};
    const request = post("/admin/users/new", fields, visitor);
    return run(() => invite.action({ request, params: {}, context } as never)).then((outcome) => ({ outcome, context }));
  };

  /** The set-password page as a browser gets it: its CSRF cookie and token. */
  async function openLink(token: string, search = "") {
    const outcome = await run(() => setPassword.loader(routeArgs(get(`/set-password/${token}${search}`), { token }) as never));
    if (outcome.kind !== "data") throw new Error(`expected the page, got ${outcome.status}`);
    const page = (await setPassword.loader(routeArgs(get(`/set-password/${token}`), { token }) as never)) as unknown as {
      data: { csrf: string };
      init: { headers?: Record<string, string> };
    };
    const cookie = page.init.headers?.["Set-Cookie"]?.split(";")[0] ?? "";
    return { status: outcome.status, data: outcome.data as { page: string; email: string | null }, csrf: page.data.csrf, cookie };
  }

  async function submitPassword(token: string, password: string, confirm = password) {
    const { csrf, cookie } = await openLink(token);
    const request = post(`/set-password/${token}`, { csrf, password, confirm });
    request.headers.set("Cookie", cookie);
    const context: Record<string, unknown> = {};
    const outcome = await run(() => setPassword.action({ request, params: { token }, context } as never));
    return { outcome, context };
  }

  const tokenFromEmail = (body: string) => body.match(/http:\/\/localhost\/set-password\/([A-Za-z0-9_-]+)/)?.[1];

  beforeAll(async () => {
    [admin, officer, analyst] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), OFFICER.cardiff), signIn(db(), ANALYST)]);
    // A coordinator who is not an admin, made the way any account is.
    const adminUser = await db().selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow();
    const invited = await inviteUser(
      db(),
      {
        email: "second.coordinator@adss-cymru.example",
        name: "Second Coordinator",
        role: "coordinator",
        authorityCode: null,
        language: "cy",
      },
      { userId: adminUser.id, isAdmin: true },
      { baseUrl: "http://localhost" },
    );
    if (!invited.ok) throw new Error("could not invite the second coordinator");
    await giveSecondFactor(db(), invited.userId);
    coordinator = await signIn(db(), "second.coordinator@adss-cymru.example");
  });

  it("lists every account for an admin, with role, authority and whether it is active", async () => {
    const outcome = await run(() => users.loader(routeArgs(get("/admin/users", admin)) as never));
    expect(outcome.kind).toBe("data");
    const data = (outcome as { data: Awaited<ReturnType<typeof users.loader>> }).data;
    expect(data.users.length).toBe(25);
    expect(data.users.find((u) => u.email === COORDINATOR)).toMatchObject({
      role: "coordinator",
      isAdmin: true,
      active: true,
      hasPassword: true,
    });
    expect(data.users.find((u) => u.email === OFFICER.cardiff)).toMatchObject({
      role: "officer",
      authorityCode: CARDIFF,
      authority_en: "Cardiff",
    });
    expect(data.users.find((u) => u.email === "second.coordinator@adss-cymru.example")).toMatchObject({
      isAdmin: false,
      hasPassword: false,
    });
  });

  it("shows officers, analysts, coordinators who are not admins and strangers nothing at all", async () => {
    const before = await counts();
    for (const visitor of [officer, analyst, coordinator]) {
      expect(await run(() => users.loader(routeArgs(get("/admin/users", visitor)) as never))).toMatchObject({ status: 404 });
      expect(await run(() => invite.loader(routeArgs(get("/admin/users/new", visitor)) as never))).toMatchObject({ status: 404 });
      const fields = { email: "sneaky@authorities.example", name: "Sneaky", role: "coordinator", language: "en" };
      expect((await inviteForm(visitor, fields)).outcome).toMatchObject({ status: 404 });
      const params = { userId: String(officer.userId) };
      expect(
        await run(() => deactivate.loader(routeArgs(get(`/admin/users/${officer.userId}/deactivate`, visitor), params) as never)),
      ).toMatchObject({
        status: 404,
      });
      expect(
        await run(() =>
          deactivate.action(routeArgs(post(`/admin/users/${officer.userId}/deactivate`, { reason: "Left" }, visitor), params) as never),
        ),
      ).toMatchObject({
        status: 404,
      });
    }
    expect(await run(() => users.loader(routeArgs(get("/admin/users")) as never))).toMatchObject({
      status: 302,
      location: "/login?returnTo=%2Fadmin%2Fusers",
    });
    expect(await counts()).toEqual(before);
  });

  it("invites someone: an account with no password, a hashed single-use token, and an email with the link, audited", async () => {
    const before = await counts();
    const { outcome } = await inviteForm(admin, {
      email: "  New.Officer@Authorities.example ",
      name: "New Officer",
      role: "officer",
      authorityCode: CARDIFF,
      language: "cy",
    });
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=invited" });

    const user = await db()
      .selectFrom("app_user")
      .selectAll()
      .where("email", "=", "new.officer@authorities.example")
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      name: "New Officer",
      role: "officer",
      authority_code: CARDIFF,
      language: "cy",
      is_admin: false,
      active: true,
      password_hash: null,
    });

    const invitation = await db().selectFrom("invitation").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(invitation.created_by).toBe(admin.userId);
    expect(invitation.used_at).toBeNull();
    const days = (new Date(invitation.expires_at).getTime() - new Date(invitation.created_at).getTime()) / 86_400_000;
    expect(days).toBe(INVITATION_DAYS);

    const email = await db().selectFrom("outbox").selectAll().where("to_email", "=", user.email).executeTakeFirstOrThrow();
    expect(email.kind).toBe("invitation");
    expect(email.sent_at).toBeNull();
    expect(email.subject).toBe("Eich cyfrif ar Ffurflenni data profiad o ofal / Your account on Care experience data returns");
    expect(email.body).toContain("Gosod eich cyfrinair: http://localhost/set-password/");
    expect(email.body).toContain("Set your password: http://localhost/set-password/");
    const token = tokenFromEmail(email.body)!;
    // Only the token's hash is kept.
    expect(invitation.token_hash).toBe(hashToken(token));
    expect(invitation.token_hash).not.toContain(token);

    const audit = await audits("account.invite", user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: admin.userId, entity: "app_user", authority_code: CARDIFF });
    expect(JSON.stringify(audit[0])).not.toContain(token);

    expect(await counts()).toEqual({
      ...before,
      users: before.users + 1,
      active: before.active + 1,
      invitations: before.invitations + 1,
      outbox: before.outbox + 1,
      audit: before.audit + 1,
    });
  });

  it("refuses an address that already has an account, whatever its case, with a message and no change", async () => {
    const before = await counts();
    const { outcome, context } = await inviteForm(admin, {
      email: OFFICER.cardiff.toUpperCase(),
      name: "Someone Else",
      role: "officer",
      authorityCode: CARDIFF,
      language: "en",
    });
    expect(outcome).toMatchObject({ kind: "data", status: 400, data: { errors: { email: "account.error.emailTaken" } } });
    expect(context.pageHasErrors).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it("asks for what is missing or wrong, GOV.UK style, and changes nothing", async () => {
    const before = await counts();
    const empty = await inviteForm(admin, {});
    expect(empty.outcome).toMatchObject({
      status: 400,
      data: {
        errors: {
          email: "account.error.emailMissing",
          name: "account.error.nameMissing",
          role: "account.error.roleMissing",
          language: "account.error.languageMissing",
        },
      },
    });
    expect(empty.context.pageHasErrors).toBe(true);
    const wrong = await inviteForm(admin, {
      email: "not-an-address",
      name: "x".repeat(201),
      role: "officer",
      authorityCode: "",
      language: "fr",
    });
    expect(wrong.outcome).toMatchObject({
      status: 400,
      data: {
        errors: {
          email: "account.error.emailInvalid",
          name: "account.error.nameTooLong",
          authorityCode: "account.error.authorityMissing",
          language: "account.error.languageMissing",
        },
      },
    });
    const unknownAuthority = await inviteForm(admin, {
      email: "a@b.example",
      name: "A",
      role: "officer",
      authorityCode: "W99999999",
      language: "en",
    });
    expect(unknownAuthority.outcome).toMatchObject({ status: 400, data: { errors: { authorityCode: "account.error.authorityMissing" } } });
    // The model refuses an authority for anyone but an officer, whatever sends it.
    const analystWithAuthority = await inviteUser(
      db(),
      { email: "a@b.example", name: "A", role: "analyst", authorityCode: CARDIFF, language: "en" },
      { userId: admin.userId, isAdmin: true },
      { baseUrl: "http://localhost" },
    );
    expect(analystWithAuthority).toMatchObject({ ok: false, errors: { authorityCode: "account.error.authorityNotForRole" } });
    expect(await counts()).toEqual(before);
  });

  it("refuses an invitation without the CSRF token", async () => {
    const request = post("/admin/users/new", { email: "x@y.example", name: "X", role: "analyst", language: "en" }, admin, { csrf: false });
    expect(await run(() => invite.action({ request, params: {}, context: {} } as never))).toMatchObject({ status: 403 });
  });

  it("lets the invited person set a password once: too short refused, then set, sessions ended, audited; the second time the link fails", async () => {
    await inviteForm(admin, {
      email: "link.user@authorities.example",
      name: "Link User",
      role: "officer",
      authorityCode: CARDIFF,
      language: "en",
    });
    const user = await db()
      .selectFrom("app_user")
      .select(["id", "email"])
      .where("email", "=", "link.user@authorities.example")
      .executeTakeFirstOrThrow();
    const email = await db().selectFrom("outbox").select("body").where("to_email", "=", user.email).executeTakeFirstOrThrow();
    const token = tokenFromEmail(email.body)!;

    const page = await openLink(token);
    expect(page).toMatchObject({ status: 200, data: { page: "form", email: user.email } });

    const short = await submitPassword(token, "short-pass1");
    expect(short.outcome).toMatchObject({
      kind: "data",
      status: 400,
      data: { errors: { password: "setPassword.error.passwordTooShort" } },
    });
    expect(short.context.pageHasErrors).toBe(true);
    const mismatch = await submitPassword(token, GOOD_PASSWORD, `${GOOD_PASSWORD}!`);
    expect(mismatch.outcome).toMatchObject({ status: 400, data: { errors: { confirm: "setPassword.error.mismatch" } } });
    const missing = await submitPassword(token, "", "");
    expect(missing.outcome).toMatchObject({
      status: 400,
      data: { errors: { password: "setPassword.error.passwordMissing", confirm: "setPassword.error.confirmMissing" } },
    });
    expect(
      (await db().selectFrom("app_user").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow()).password_hash,
    ).toBeNull();

    // A session the account somehow had ends when its password is set.
    const earlier = await signIn(db(), user.email);
    expect((await rootLoader({ request: get("/", earlier), params: {}, context: {} } as never)).user).not.toBeNull();

    const done = await submitPassword(token, GOOD_PASSWORD);
    expect(done.outcome).toMatchObject({ kind: "response", status: 302, location: `/set-password/${token}?done` });
    expect(await openLink(token, "?done")).toMatchObject({ status: 200, data: { page: "done" } });
    expect((await rootLoader({ request: get("/", earlier), params: {}, context: {} } as never)).user).toBeNull();
    expect(await signInModel(db(), { email: user.email, password: GOOD_PASSWORD, address: "192.0.2.1", ...noSleep })).toMatchObject({
      ok: true,
    });

    const invitation = await db().selectFrom("invitation").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(invitation.used_at).not.toBeNull();
    const audit = await audits("account.set_password", user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_user_id).toBe(user.id);
    expect(JSON.stringify(audit[0])).not.toContain(token);
    expect(JSON.stringify(audit[0])).not.toContain(GOOD_PASSWORD);

    // Used: the page says so, and a second use changes nothing.
    expect(await openLink(token)).toMatchObject({ status: 404, data: { page: "invalid", email: null } });
    const hash = (await db().selectFrom("app_user").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow())
      .password_hash;
    const again = await submitPassword(token, "another long enough password");
    expect(again.outcome).toMatchObject({ kind: "data", status: 404 });
    expect(await setPasswordWithInvitation(db(), token, "another long enough password")).toEqual({ ok: false, reason: "invalidLink" });
    expect(
      (await db().selectFrom("app_user").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow()).password_hash,
    ).toBe(hash);
    expect(await audits("account.set_password", user.id)).toHaveLength(1);
  });

  it("refuses an expired link and an unknown one with a clear page, not an error", async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    const invited = await inviteUser(
      db(),
      { email: "late@authorities.example", name: "Late", role: "analyst", authorityCode: null, language: "en" },
      { userId: admin.userId, isAdmin: true },
      { baseUrl: "http://localhost", now: eightDaysAgo },
    );
    if (!invited.ok) throw new Error("invitation refused");
    expect(await openLink(invited.token)).toMatchObject({ status: 404, data: { page: "invalid" } });
    expect((await submitPassword(invited.token, GOOD_PASSWORD)).outcome).toMatchObject({ kind: "data", status: 404 });
    expect(await setPasswordWithInvitation(db(), invited.token, GOOD_PASSWORD)).toEqual({ ok: false, reason: "invalidLink" });
    // The same link, judged on a day within its 7, would have worked.
    expect((await findInvitation(db(), invited.token, new Date(eightDaysAgo.getTime() + 86_400_000)))?.usable).toBe(true);
    const user = await db().selectFrom("app_user").select("password_hash").where("id", "=", invited.userId).executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();

    expect(await openLink("no-such-token")).toMatchObject({ status: 404, data: { page: "invalid" } });
    expect(await openLink("no-such-token", "?done")).toMatchObject({ status: 404, data: { page: "invalid" } });
  });

  it("shows a Welsh invitee's page, its errors and its confirmation in Welsh in a browser that has chosen no language", async () => {
    const invited = await inviteUser(
      db(),
      { email: "cymraeg@authorities.example", name: "Siân", role: "officer", authorityCode: CARDIFF, language: "cy" },
      { userId: admin.userId, isAdmin: true },
      { baseUrl: "http://localhost" },
    );
    if (!invited.ok) throw new Error("invitation refused");
    const path = `/set-password/${invited.token}`;
    const fresh = { "Accept-Language": "en-GB,en;q=0.9" };
    const open = await portal.page(new Request(`http://localhost${path}`, { headers: fresh }));
    const form = await open.text();
    expect(open.status).toBe(200);
    expect(form).toContain('<html lang="cy"');
    expect(form).toContain("<title>Gosod eich cyfrinair – ");
    expect(form).not.toContain("Set your password");
    const english = await portal.page(new Request(`http://localhost${path}`, { headers: { Cookie: "lang=en" } }));
    expect(await english.text(), "English chosen in this browser wins").toContain('<h1 class="govuk-heading-l">Set your password</h1>');

    const submit = (password: string) =>
      portal.page(
        new Request(`http://localhost${path}`, {
          method: "POST",
          body: new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(form)![1]!, password, confirm: password }),
          headers: {
            ...fresh,
            "Content-Type": "application/x-www-form-urlencoded",
            Cookie: open.headers.get("Set-Cookie")!.split(";")[0]!,
          },
        }),
      );
    const refused = await submit("short");
    expect(refused.status).toBe(400);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain('<html lang="cy"');
    expect(refusedPage).toContain("<title>Gwall: Gosod eich cyfrinair – ");
    const done = await submit(GOOD_PASSWORD);
    expect(done).toMatchObject({ status: 302 });
    expect(done.headers.get("Location")).toBe(`${path}?done`);
    const confirmation = await (await portal.page(new Request(`http://localhost${path}?done`, { headers: fresh }))).text();
    expect(confirmation).toContain('<html lang="cy"');
    expect(confirmation).toContain("Mae eich cyfrinair wedi&#x27;i osod");

    // Used, the link keeps the invitation's own words, in the account's language; a link naming no
    // account is in the browser's.
    const used = await (await portal.page(new Request(`http://localhost${path}`, { headers: fresh }))).text();
    expect(used).toContain("Dim ond unwaith y mae dolen i osod eich cyfrinair yn gweithio, a dim ond am 7 diwrnod.");
    const unknown = await (await portal.page(new Request("http://localhost/set-password/no-such-token", { headers: fresh }))).text();
    expect(unknown).toContain('<html lang="en"');
    expect(unknown).toContain("A link to set your password works only once, and only for 7 days.");
  });

  it("refuses a password form without its CSRF cookie", async () => {
    const request = post("/set-password/whatever", {
      csrf: "made-up-token-of-some-length",
      password: GOOD_PASSWORD,
      confirm: GOOD_PASSWORD,
    });
    expect(await run(() => setPassword.action({ request, params: { token: "whatever" }, context: {} } as never))).toMatchObject({
      status: 403,
    });
  });

  it("refuses to deactivate an account without a reason, or with one too long: 400, still active, nothing audited", async () => {
    const before = await counts();
    const params = { userId: String(officer.userId) };
    const path = `/admin/users/${officer.userId}/deactivate`;
    for (const [fields, error] of [
      [{}, "accountReason.error.missing"],
      [{ reason: "" }, "accountReason.error.missing"],
      [{ reason: " \t\n " }, "accountReason.error.missing"],
      [{ reason: "x".repeat(1001) }, "accountReason.error.tooLong"],
    ] as const) {
      const context: Record<string, unknown> = {};
      const outcome = await run(() => deactivate.action({ request: post(path, fields, admin), params, context } as never));
      expect(outcome, JSON.stringify(fields).slice(0, 40)).toMatchObject({ kind: "data", status: 400, data: { error } });
      expect(context.pageHasErrors).toBe(true);
    }
    // What was typed comes back for the admin to correct.
    const typed = "x".repeat(1001);
    expect(await run(() => deactivate.action(routeArgs(post(path, { reason: typed }, admin), params) as never))).toMatchObject({
      data: { reason: typed },
    });
    expect(await counts()).toEqual(before);
    const account = await db()
      .selectFrom("app_user")
      .select(["active", "active_change_reason"])
      .where("id", "=", officer.userId)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ active: true, active_change_reason: null });
    expect(await audits("account.deactivate", officer.userId)).toHaveLength(0);
    expect((await rootLoader({ request: get("/", officer), params: {}, context: {} } as never)).user).not.toBeNull();
  });

  it("deactivates an account: confirmation page, then every session ends and the old cookie no longer signs in; audited", async () => {
    const newport = await signIn(db(), OFFICER.newport);
    const other = await signIn(db(), OFFICER.newport);
    expect((await rootLoader({ request: get("/", newport), params: {}, context: {} } as never)).user).not.toBeNull();
    const params = { userId: String(newport.userId) };
    const path = `/admin/users/${newport.userId}/deactivate`;

    const confirm = await run(() => deactivate.loader(routeArgs(get(path, admin), params) as never));
    expect(confirm).toMatchObject({ kind: "data", data: { user: { email: OFFICER.newport, active: true }, isSelf: false } });

    const reason = "Left the authority at the end of March";
    expect(await run(() => deactivate.action(routeArgs(post(path, { reason }, admin, { csrf: false }), params) as never))).toMatchObject({
      status: 403,
    });
    expect((await rootLoader({ request: get("/", newport), params: {}, context: {} } as never)).user).not.toBeNull();

    const outcome = await run(() => deactivate.action(routeArgs(post(path, { reason: `  ${reason}\n` }, admin), params) as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=deactivated" });
    for (const visitor of [newport, other]) {
      expect((await rootLoader({ request: get("/", visitor), params: {}, context: {} } as never)).user).toBeNull();
    }
    const live = await db()
      .selectFrom("session")
      .select("id")
      .where("user_id", "=", newport.userId)
      .where("revoked_at", "is", null)
      .execute();
    expect(live).toHaveLength(0);
    expect(await signInModel(db(), { email: OFFICER.newport, password: "demo-password-2023", address: "192.0.2.2", ...noSleep })).toEqual({
      ok: false,
      reason: "invalid",
    });
    const audit = await audits("account.deactivate", newport.userId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: admin.userId, entity: "app_user", reason });
    // Kept on the account, trimmed, and shown on the accounts page.
    const account = await db()
      .selectFrom("app_user")
      .select(["active", "active_changed_by", "active_change_reason"])
      .where("id", "=", newport.userId)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ active: false, active_changed_by: admin.userId, active_change_reason: reason });
    const page = await (await portal.page(get("/admin/users", admin))).text();
    expect(page).toMatch(new RegExp(`Deactivated by Demo Coordinator on [^<]*(<!-- -->)?: <q>${reason}</q>`));
    // Written in English: on the page in Welsh, marked as English for a screen reader.
    await db().updateTable("app_user").set({ language: "cy" }).where("id", "=", admin.userId).execute();
    const welsh = await (await portal.page(get("/admin/users", admin))).text();
    expect(welsh).toMatch(new RegExp(`Dadactifadwyd gan Demo Coordinator ar [^<]*(<!-- -->)?: <q lang="en">${reason}</q>`));
    await db().updateTable("app_user").set({ language: "en" }).where("id", "=", admin.userId).execute();

    // Twice is harmless: nothing more happens, nothing more is audited.
    expect(await run(() => deactivate.action(routeArgs(post(path, { reason: "Again" }, admin), params) as never))).toMatchObject({
      status: 302,
      location: "/admin/users",
    });
    expect(await audits("account.deactivate", newport.userId)).toHaveLength(1);
  });

  it("does not let an admin deactivate their own account, and answers 404 for an account that does not exist", async () => {
    const before = await counts();
    const params = { userId: String(admin.userId) };
    const context: Record<string, unknown> = {};
    const outcome = await run(() =>
      deactivate.action({ request: post(`/admin/users/${admin.userId}/deactivate`, {}, admin), params, context } as never),
    );
    expect(outcome).toMatchObject({ kind: "data", status: 400, data: { error: "deactivate.error.self" } });
    expect(context.pageHasErrors).toBe(true);
    expect(await counts()).toEqual(before);
    for (const userId of ["999999", "abc", "1.5", "-1"]) {
      expect(
        await run(() => deactivate.loader(routeArgs(get(`/admin/users/${userId}/deactivate`, admin), { userId }) as never)),
      ).toMatchObject({ status: 404 });
    }
  });
});
