/**
 * What an admin does to accounts beyond inviting and deactivating (issue 16): send an invitation
 * again, reactivate with a reason, see each account's state and last sign-in, end a person's
 * sessions; and what each person does with their own sessions. Loaders and actions on a real database.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as users from "#app/routes/admin.users._index.tsx";
import * as invite from "#app/routes/admin.users.new.tsx";
import * as person from "#app/routes/admin.users.$userId._index.tsx";
import * as reactivate from "#app/routes/admin.users.$userId.reactivate.tsx";
import * as sessions from "#app/routes/account.sessions.tsx";
import { deactivateUser, findInvitation, inviteUser, listUsers, setPasswordWithInvitation } from "#app/models/account.server.ts";
import { signIn as signInModel } from "#app/models/sign-in.server.ts";
import { describeDevice } from "#app/web/user-agent.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

const PASSWORD = "orchard kettle ribbon lantern";
const noSleep = { sleep: async () => {} };

describe("accounts an admin can get people back into", () => {
  const db = useDemoDatabase();
  let admin: Visitor;
  let officer: Visitor;

  const audits = (action: string, entityKey: number) =>
    db().selectFrom("audit_log").selectAll().where("action", "=", action).where("entity_key", "=", String(entityKey)).execute();
  const userIdOf = async (email: string) =>
    (await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
  const tokenIn = (body: string) => body.match(/http:\/\/localhost\/set-password\/([A-Za-z0-9_-]+)/)?.[1];

  beforeAll(async () => {
    [admin, officer] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), OFFICER.cardiff)]);
  });

  it("sends an expired invitation again: the old link stops working, the new one sets the password; audited", async () => {
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    const invited = await inviteUser(
      db(),
      { email: "late.officer@authorities.example", name: "Late Officer", role: "officer", authorityCode: "W06000015", language: "en" },
      { userId: admin.userId, isAdmin: true },
      { baseUrl: "http://localhost", now: longAgo },
    );
    if (!invited.ok) throw new Error("not invited");
    expect((await listUsers(db())).find((u) => u.id === invited.userId)?.state).toBe("invitationExpired");

    // Inviting the address again says who it is, rather than a dead end.
    const context: Record<string, unknown> = {};
    const again = await run(() =>
      invite.action({
        request: post(
          "/admin/users/new",
          { email: "late.officer@authorities.example", name: "Late", role: "officer", authorityCode: "W06000015", language: "en" },
          admin,
        ),
        params: {},
        context,
      } as never),
    );
    expect(again).toMatchObject({ status: 400, data: { errors: { email: "account.error.emailInvited" }, invitedUserId: invited.userId } });

    const params = { userId: String(invited.userId) };
    const resent = await run(() =>
      person.action(routeArgs(post(`/admin/users/${invited.userId}`, { intent: "resend" }, admin), params) as never),
    );
    expect(resent).toMatchObject({ status: 302, location: `/admin/users/${invited.userId}?done=resent` });
    const emails = await db()
      .selectFrom("outbox")
      .select("body")
      .where("to_email", "=", "late.officer@authorities.example")
      .where("kind", "=", "invitation")
      .orderBy("id")
      .execute();
    expect(emails).toHaveLength(2);
    const token = tokenIn(emails[1]!.body)!;
    expect(token).not.toBe(invited.token);
    expect((await findInvitation(db(), invited.token))?.usable).toBe(false);
    expect(await setPasswordWithInvitation(db(), invited.token, PASSWORD)).toEqual({ ok: false, reason: "invalidLink" });
    expect((await listUsers(db())).find((u) => u.id === invited.userId)?.state).toBe("invited");
    expect(await audits("account.resend_invitation", invited.userId)).toMatchObject([{ actor_user_id: admin.userId }]);
    expect(await setPasswordWithInvitation(db(), token, PASSWORD)).toMatchObject({ ok: true });

    // Once the password is set, there is nothing to send again.
    const after = await run(() =>
      person.action(routeArgs(post(`/admin/users/${invited.userId}`, { intent: "resend" }, admin), params) as never),
    );
    expect(after).toMatchObject({ status: 302, location: `/admin/users/${invited.userId}` });
    expect(await audits("account.resend_invitation", invited.userId)).toHaveLength(1);
  });

  it("reactivates a deactivated account only with a reason, audited, and shows who and why", async () => {
    const analystId = await userIdOf(ANALYST);
    expect(await deactivateUser(db(), analystId, "On secondment.", { userId: admin.userId, isAdmin: true })).toEqual({
      ok: true,
      tokensRevoked: 0,
    });
    const params = { userId: String(analystId) };
    const context: Record<string, unknown> = {};
    const empty = await run(() =>
      reactivate.action({ request: post(`/admin/users/${analystId}/reactivate`, { reason: "  " }, admin), params, context } as never),
    );
    expect(empty).toMatchObject({ status: 400, data: { error: "accountReason.error.missing" } });
    expect(context.pageHasErrors).toBe(true);
    const tooLong = await run(() =>
      reactivate.action(routeArgs(post(`/admin/users/${analystId}/reactivate`, { reason: "x".repeat(1001) }, admin), params) as never),
    );
    expect(tooLong).toMatchObject({ status: 400, data: { error: "accountReason.error.tooLong" } });
    const deactivated = (await listUsers(db())).find((u) => u.id === analystId)!;
    expect(deactivated).toMatchObject({ state: "deactivated", activeChangedBy: "Demo Coordinator", activeChangeReason: "On secondment." });

    const done = await run(() =>
      reactivate.action(routeArgs(post(`/admin/users/${analystId}/reactivate`, { reason: "Back from leave." }, admin), params) as never),
    );
    expect(done).toMatchObject({ status: 302, location: "/admin/users?done=reactivated" });
    const reactivated = (await listUsers(db())).find((u) => u.id === analystId)!;
    expect(reactivated).toMatchObject({
      state: "active",
      activeChangedBy: "Demo Coordinator",
      activeChangeReason: "Back from leave.",
    });
    expect(await audits("account.reactivate", analystId)).toMatchObject([{ actor_user_id: admin.userId, reason: "Back from leave." }]);
    expect((await signInModel(db(), { email: ANALYST, password: "demo-password-2023", address: "192.0.2.60", ...noSleep })).ok).toBe(true);
    // Reactivating an active account changes nothing.
    await run(() =>
      reactivate.action(routeArgs(post(`/admin/users/${analystId}/reactivate`, { reason: "Again." }, admin), params) as never),
    );
    expect(await audits("account.reactivate", analystId)).toHaveLength(1);
  });

  it("shows each account's state and when it last signed in", async () => {
    const before = (await listUsers(db())).find((u) => u.email === OFFICER.newport)!;
    expect(before.lastSignedInAt).toBeNull();
    await signInModel(db(), { email: OFFICER.newport, password: "demo-password-2023", address: "192.0.2.61", ...noSleep });
    const after = (await listUsers(db())).find((u) => u.email === OFFICER.newport)!;
    expect(after.lastSignedInAt).not.toBeNull();
    expect(after.state).toBe("active");
    const page = await run(() => users.loader(routeArgs(get("/admin/users", admin)) as never));
    const listed = (page as { data: { users: { email: string; state: string }[] } }).data.users;
    expect(listed.find((u) => u.email === OFFICER.newport)?.state).toBe("active");
    expect(listed.find((u) => u.email === "late.officer@authorities.example")?.state, "its password set").toBe("active");
  });

  it("lists a person's own sessions with device and address, and ends one of theirs, never another's", async () => {
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const signedIn = await signInModel(db(), {
      email: OFFICER.conwy,
      password: "demo-password-2023",
      address: "192.0.2.62",
      userAgent: ua,
      ...noSleep,
    });
    if (!signedIn.ok) throw new Error("not signed in");
    const conwy = await signIn(db(), OFFICER.conwy);
    const page = await run(() => sessions.loader(routeArgs(get("/account/sessions", conwy)) as never));
    const listed = (page as { data: { sessions: { id: string; device: unknown; address: string | null; current: boolean }[] } }).data
      .sessions;
    expect(listed).toHaveLength(2);
    const phone = listed.find((s) => !s.current)!;
    expect(phone).toMatchObject({ device: { browser: "Chrome", os: "Windows" }, address: "192.0.2.62" });

    // Nothing that is not one of their session ids ends anything, and nothing fails.
    for (const hostile of ["", "x".repeat(1024 * 1024), "' OR '1'='1", phone.id.toUpperCase(), `${phone.id}'--`]) {
      const outcome = await run(() => sessions.action(routeArgs(post("/account/sessions", { session: hostile }, conwy)) as never));
      expect(outcome, hostile.slice(0, 20)).toMatchObject({ status: 302, location: "/account/sessions" });
    }
    // Another person cannot end it: it is not among theirs.
    const foreign = await run(() => sessions.action(routeArgs(post("/account/sessions", { session: phone.id }, officer)) as never));
    expect(foreign).toMatchObject({ status: 302, location: "/account/sessions" });
    const ended = await run(() => sessions.action(routeArgs(post("/account/sessions", { session: phone.id }, conwy)) as never));
    expect(ended).toMatchObject({ status: 302, location: "/account/sessions?done=ended" });
    const live = await db().selectFrom("session").select("id").where("id", "=", phone.id).where("revoked_at", "is", null).execute();
    expect(live).toEqual([]);
    expect(await audits("session.end", conwy.userId)).toHaveLength(1);

    // Ending this device's own session signs out.
    const current = listed.find((s) => s.current)!;
    const out = await run(() => sessions.action(routeArgs(post("/account/sessions", { session: current.id }, conwy)) as never));
    expect(out).toMatchObject({ status: 302, location: "/login" });
    expect(out.kind === "response" && out.response.headers.get("Set-Cookie")).toMatch(/^__session=; Max-Age=0/);
  });

  it("lets an admin end every session of a person, audited; nobody else", async () => {
    const newport = await userIdOf(OFFICER.newport);
    await Promise.all([signIn(db(), OFFICER.newport), signIn(db(), OFFICER.newport)]);
    const params = { userId: String(newport) };
    const refused = await run(() =>
      person.action(routeArgs(post(`/admin/users/${newport}`, { intent: "endSessions" }, officer), params) as never),
    );
    expect(refused).toMatchObject({ status: 404 });
    const done = await run(() =>
      person.action(routeArgs(post(`/admin/users/${newport}`, { intent: "endSessions" }, admin), params) as never),
    );
    expect(done).toMatchObject({ status: 302, location: `/admin/users/${newport}?done=sessionsEnded` });
    const live = await db().selectFrom("session").select("id").where("user_id", "=", newport).where("revoked_at", "is", null).execute();
    expect(live).toEqual([]);
    const [audit] = await audits("account.end_sessions", newport);
    expect(audit).toMatchObject({ actor_user_id: admin.userId });
    expect((audit!.after as { ended: number }).ended).toBeGreaterThanOrEqual(2);
  });

  it("names the browser and system of common User-Agents, and nothing it does not know", () => {
    expect(
      describeDevice(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
      ),
    ).toEqual({
      browser: "Safari",
      os: "iPhone",
    });
    expect(describeDevice("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:121.0) Gecko/20100101 Firefox/121.0")).toEqual({
      browser: "Firefox",
      os: "macOS",
    });
    expect(
      describeDevice(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      ),
    ).toEqual({ browser: "Microsoft Edge", os: "Windows" });
    expect(describeDevice("curl/8.5.0")).toBeNull();
    expect(describeDevice(null)).toBeNull();
  });
});
