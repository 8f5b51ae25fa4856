/**
 * API tokens end with the password and the account they were made under: a new password set
 * through a forgotten-password link revokes the account's tokens, as it ends its sessions, and
 * deactivating an account revokes them, so that reactivating it brings none back. Each revocation
 * is in the audit log, and the person is told, in English and Welsh. A new password or a reset
 * second factor or a deactivation revokes the tokens an admin's account made for officers too. Through the pages' loaders and
 * actions and the API's request handler, on a real database.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import * as tokensPage from "#app/routes/api-tokens._index.tsx";
import * as forgot from "#app/routes/forgot-password.tsx";
import * as setPassword from "#app/routes/set-password.$token.tsx";
import * as deactivate from "#app/routes/admin.users.$userId.deactivate.tsx";
import * as reactivate from "#app/routes/admin.users.$userId.reactivate.tsx";
import * as resetTwoFactor from "#app/routes/admin.users.$userId.two-factor.tsx";
import { translate, type MessageKey } from "#app/i18n/i18n.ts";
import type { Language } from "#db/types.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { CARDIFF, NEWPORT, OPEN_ROUND } from "../hardening/fixtures.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { giveSecondFactor } from "../support/two-factor.ts";

const NEW_PASSWORD = "lantern orchard kettle ribbon";
const html = (text: string) => text.replaceAll("'", "&#x27;");

describe("API tokens and the account they belong to", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();

  /** Makes a token on the API tokens page, as the person would: the year-long kind, theirs or (an admin's) for `ownerId`. */
  async function makeToken(visitor: Visitor, ownerId?: number) {
    const form = { name: "Our case system", lifetime: "365", ownerId: ownerId === undefined ? "" : String(ownerId) };
    const outcome = await run(() => tokensPage.action(routeArgs(post("/api-tokens", form, visitor)) as never));
    if (outcome.kind !== "data") throw new Error(`no token: ${outcome.status}`);
    return (outcome.data as { created: string }).created;
  }

  /** The authority's draft through the API, with this token: 200 while the token is live, 401 after. */
  async function draftStatus(token: string, authority: string) {
    const response = await portal.page(
      new Request(`http://localhost/api/v1/returns/${OPEN_ROUND}/${authority}/draft`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    return response.status;
  }

  /** Asks for a forgotten-password link through the page, and returns the link's token from the email. */
  async function resetLink(email: string) {
    const page = (await forgot.loader({ request: get("/forgot-password"), params: {}, context: {} } as never)) as unknown as {
      data: { csrf: string };
      init: { headers: Record<string, string> };
    };
    const request = post("/forgot-password", { csrf: page.data.csrf, email });
    request.headers.set("Cookie", page.init.headers["Set-Cookie"]!.split(";")[0]!);
    const asked = await run(() => forgot.action({ request, params: {}, context: { clientAddress: "192.0.2.77" } } as never));
    expect(asked).toMatchObject({ status: 302, location: "/forgot-password?sent" });
    const sent = await db()
      .selectFrom("outbox")
      .select("body")
      .where("kind", "=", "password_reset")
      .where("to_email", "=", email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    return sent.body.match(/http:\/\/localhost\/set-password\/([A-Za-z0-9_-]+)/)![1]!;
  }

  /** Chooses the new password on the link's page, as a browser would (its CSRF cookie and token). */
  async function choosePassword(token: string) {
    const page = (await setPassword.loader(routeArgs(get(`/set-password/${token}`), { token }) as never)) as unknown as {
      data: { csrf: string };
      init: { headers?: Record<string, string> };
    };
    const request = post(`/set-password/${token}`, { csrf: page.data.csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    request.headers.set("Cookie", page.init.headers?.["Set-Cookie"]?.split(";")[0] ?? "");
    return run(() => setPassword.action({ request, params: { token }, context: {} } as never));
  }

  /** Each of the account's tokens as revoked, with its audit row. */
  async function tokenRevocations(ownerEmail: string) {
    const tokens = await db()
      .selectFrom("api_token as t")
      .innerJoin("app_user as u", "u.id", "t.owner_id")
      .select(["t.id", "t.revoked_at", "t.revoked_by"])
      .where("u.email", "=", ownerEmail)
      .execute();
    const audits = await db().selectFrom("audit_log").selectAll().where("action", "=", "api_token.revoke").execute();
    return tokens.map((token) => {
      const audit = audits.find((a) => a.entity_key === String(token.id));
      return {
        revoked_by: token.revoked_by,
        revoked: token.revoked_at !== null,
        actor_user_id: audit?.actor_user_id,
        reason: audit?.reason,
      };
    });
  }

  const setLanguage = (email: string, language: Language) =>
    db().updateTable("app_user").set({ language }).where("email", "=", email).execute();

  /** The account's one token revoked, by `by`, audited with why. */
  async function expectOneRevocation(ownerEmail: string, by: number, why: string) {
    const revocations = await tokenRevocations(ownerEmail);
    expect(revocations).toHaveLength(1);
    expect(revocations[0]).toMatchObject({ actor_user_id: by, reason: why, revoked: true, revoked_by: by });
  }

  /** The page says the message in English and in Welsh, as the person whose language it follows chooses. */
  async function expectSaidInBoth(email: string, request: Request, key: MessageKey) {
    for (const lang of ["en", "cy"] as const) {
      await setLanguage(email, lang);
      const page = await (await portal.page(request.clone())).text();
      expect(page).toContain(`<html lang="${lang}"`);
      expect(page).toContain(html(translate(lang, key)));
    }
    await setLanguage(email, "en");
  }

  it("a new password set through a forgotten-password link revokes the account's tokens, audited, and says so", async () => {
    const officer = await signIn(db(), OFFICER.cardiff);
    const token = await makeToken(officer);
    expect(await draftStatus(token, CARDIFF)).toBe(200);

    const link = await resetLink(OFFICER.cardiff);
    const done = await choosePassword(link);
    expect(done).toMatchObject({ kind: "response", status: 302 });
    expect(await draftStatus(token, CARDIFF), "the token made with the old password").toBe(401);
    expect(done).toMatchObject({ location: `/set-password/${link}?done=tokens` });
    await expectOneRevocation(OFFICER.cardiff, officer.userId, "password reset");
    // The confirmation says so, in the account's language.
    await expectSaidInBoth(OFFICER.cardiff, get(`/set-password/${link}?done=tokens`), "setPassword.done.tokensRevoked");
  });

  it("deactivating an account revokes its tokens, audited, and reactivating it brings none back", async () => {
    const admin = await signIn(db(), COORDINATOR);
    const officer = await signIn(db(), OFFICER.newport);
    const token = await makeToken(officer);
    expect(await draftStatus(token, NEWPORT)).toBe(200);
    const params = { userId: String(officer.userId) };

    const deactivated = await run(() =>
      deactivate.action(
        routeArgs(post(`/admin/users/${officer.userId}/deactivate`, { reason: "Left the authority" }, admin), params) as never,
      ),
    );
    expect(deactivated).toMatchObject({ kind: "response", status: 302 });
    expect(await draftStatus(token, NEWPORT), "the token of the deactivated account").toBe(401);
    const reactivated = await run(() =>
      reactivate.action(
        routeArgs(post(`/admin/users/${officer.userId}/reactivate`, { reason: "Back from leave" }, admin), params) as never,
      ),
    );
    expect(reactivated).toMatchObject({ kind: "response", status: 302 });
    expect(await draftStatus(token, NEWPORT), "the old token, after reactivation").toBe(401);

    expect(deactivated).toMatchObject({ location: "/admin/users?done=deactivatedWithTokens" });
    await expectOneRevocation(OFFICER.newport, admin.userId, "account deactivated");
    // The admin is told, in their language.
    await expectSaidInBoth(COORDINATOR, get("/admin/users?done=deactivatedWithTokens", admin), "accounts.done.deactivatedWithTokens");
  });

  it("an admin's reset of a second factor revokes the account's tokens, audited, and says so", async () => {
    const admin = await signIn(db(), COORDINATOR);
    const analyst = await signIn(db(), ANALYST);
    await giveSecondFactor(db(), analyst.userId);
    const token = await makeToken(analyst);
    const figures = () =>
      portal
        .page(new Request(`http://localhost/api/v1/collections/${OPEN_ROUND}/figures`, { headers: { Authorization: `Bearer ${token}` } }))
        .then((response) => response.status);
    expect(await figures()).toBe(200);

    const done = await run(() =>
      resetTwoFactor.action(
        routeArgs(post(`/admin/users/${analyst.userId}/two-factor`, { reason: "Lost phone" }, admin), {
          userId: String(analyst.userId),
        }) as never,
      ),
    );
    expect(done).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=twoFactorResetWithTokens" });
    expect(await figures(), "the token made before the reset").toBe(401);
    await expectOneRevocation(ANALYST, admin.userId, "two-factor reset");
    await expectSaidInBoth(COORDINATOR, get("/admin/users?done=twoFactorResetWithTokens", admin), "accounts.done.twoFactorResetWithTokens");
  });

  it("an account deactivated before tokens were revoked with it gets none back when reactivated", async () => {
    const admin = await signIn(db(), COORDINATOR);
    const officer = await signIn(db(), OFFICER.conwy);
    const token = await makeToken(officer);
    // Deactivated as it was before: the account made inactive, its token left live.
    await db().updateTable("app_user").set({ active: false }).where("id", "=", officer.userId).execute();
    expect(await draftStatus(token, "W06000003")).toBe(401);
    const reactivated = await run(() =>
      reactivate.action(
        routeArgs(post(`/admin/users/${officer.userId}/reactivate`, { reason: "Back from leave" }, admin), {
          userId: String(officer.userId),
        }) as never,
      ),
    );
    expect(reactivated).toMatchObject({ kind: "response", status: 302 });
    expect(await draftStatus(token, "W06000003")).toBe(401);
    expect(await tokenRevocations(OFFICER.conwy)).toMatchObject([{ actor_user_id: admin.userId, reason: "account reactivated" }]);
  });

  it("an admin's tokens made for officers go with the admin's password, second factor or account", async () => {
    const admin = await signIn(db(), COORDINATOR);
    const officer = await signIn(db(), OFFICER.cardiff);
    const second = await db()
      .insertInto("app_user")
      .values({ email: "second-admin@adss-cymru.example", name: "Second Admin", role: "coordinator", is_admin: true, authority_code: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await giveSecondFactor(db(), second.id);
    const secondAdmin = await signIn(db(), "second-admin@adss-cymru.example");
    /** Why the officer's newest token was revoked, and by whom, from the audit log. */
    const newestRevocation = () =>
      db()
        .selectFrom("api_token as t")
        .leftJoin("audit_log as a", (join) => join.on("a.action", "=", "api_token.revoke").onRef("a.entity_key", "=", sql`t.id::text`))
        .select(["a.reason", "a.actor_user_id"])
        .where("t.owner_id", "=", officer.userId)
        .orderBy("t.id", "desc")
        .executeTakeFirstOrThrow();

    // Their second factor reset: whoever held the phone may have made a token for an officer.
    const forOfficer = await makeToken(secondAdmin, officer.userId);
    expect(await draftStatus(forOfficer, CARDIFF)).toBe(200);
    const reset = await run(() =>
      resetTwoFactor.action(
        routeArgs(post(`/admin/users/${second.id}/two-factor`, { reason: "Lost phone" }, admin), { userId: String(second.id) }) as never,
      ),
    );
    expect(reset).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=twoFactorResetWithTokens" });
    expect(await draftStatus(forOfficer, CARDIFF), "the token the admin's account made for the officer").toBe(401);
    expect(await newestRevocation()).toEqual({ reason: "two-factor reset", actor_user_id: admin.userId });

    // Deactivated: whoever made a token saw its secret, and may still hold it.
    await giveSecondFactor(db(), second.id);
    const madeBeforeLeaving = await makeToken(await signIn(db(), "second-admin@adss-cymru.example"), officer.userId);
    const deactivated = await run(() =>
      deactivate.action(
        routeArgs(post(`/admin/users/${second.id}/deactivate`, { reason: "Left ADSS Cymru" }, admin), {
          userId: String(second.id),
        }) as never,
      ),
    );
    expect(deactivated).toMatchObject({ kind: "response", status: 302, location: "/admin/users?done=deactivatedWithTokens" });
    expect(await draftStatus(madeBeforeLeaving, CARDIFF), "the officer's token, made by an admin since deactivated").toBe(401);
    expect(await newestRevocation()).toEqual({ reason: "account deactivated", actor_user_id: admin.userId });

    // A new password through a link: whoever knew the old one may have made a token for an officer.
    const officersOwn = await makeToken(officer);
    const madeBeforeReset = await makeToken(admin, officer.userId);
    expect(await draftStatus(madeBeforeReset, CARDIFF)).toBe(200);
    expect(await choosePassword(await resetLink(COORDINATOR))).toMatchObject({ kind: "response", status: 302 });
    expect(await draftStatus(madeBeforeReset, CARDIFF), "the token the admin made for the officer before the reset").toBe(401);
    expect(await draftStatus(officersOwn, CARDIFF), "the officer's own token").toBe(200);
    expect(await newestRevocation()).toEqual({ reason: "password reset", actor_user_id: admin.userId });
  });
});
