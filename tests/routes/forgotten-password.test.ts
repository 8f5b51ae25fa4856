/**
 * Forgotten passwords, through the page's loader and action on a real database: the same answer
 * whether or not the account exists (an address that is not one is refused as the invite form
 * refuses it), a single-use link valid for an hour in the account's language,
 * requests throttled per email address and per network address (counted atomically), and a new
 * password that signs the account out everywhere.
 */
import { describe, expect, it } from "vitest";
import * as forgot from "#app/routes/forgot-password.tsx";
import * as setPassword from "#app/routes/set-password.$token.tsx";
import {
  inviteUser,
  PASSWORD_RESET_MINUTES,
  requestPasswordReset,
  RESET_THROTTLE,
  setPasswordWithInvitation,
} from "#app/models/account.server.ts";
import { hashToken } from "#app/models/session.server.ts";
import { signIn as signInModel } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { COORDINATOR, get, OFFICER, post, run, signIn, snapshot } from "../support/requests.ts";

const NEW_PASSWORD = "lantern orchard kettle ribbon";
const noSleep = { sleep: async () => {} };

describe("a forgotten password", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();

  /** Posts the page's form as a browser would: its CSRF cookie and token, from one network address. */
  async function ask(email: string, address = "192.0.2.20", context: Record<string, unknown> = {}) {
    const page = (await forgot.loader({ request: get("/forgot-password"), params: {}, context: {} } as never)) as unknown as {
      data: { csrf: string };
      init: { headers: Record<string, string> };
    };
    const request = post("/forgot-password", { csrf: page.data.csrf, email });
    request.headers.set("Cookie", page.init.headers["Set-Cookie"]!.split(";")[0]!);
    context.clientAddress = address;
    return run(() => forgot.action({ request, params: {}, context } as never));
  }

  /** A whole page as the server renders it, for a browser that sends these headers. */
  async function page(path: string, headers: Record<string, string> = {}) {
    const response = await portal.page(new Request(`http://localhost${path}`, { headers }));
    return { status: response.status, html: await response.text() };
  }

  const resetEmails = (to: string) =>
    db().selectFrom("outbox").selectAll().where("kind", "=", "password_reset").where("to_email", "=", to).orderBy("id").execute();
  const linkIn = (body: string) => body.match(/http:\/\/localhost\/set-password\/([A-Za-z0-9_-]+)/)?.[1];
  const audits = (action: string) => db().selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

  it("answers the same for an account, an unknown address, an invitee and a deactivated account", async () => {
    const admin = await db().selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow();
    const invited = await inviteUser(
      db(),
      { email: "invitee@authorities.example", name: "Invitee", role: "officer", authorityCode: "W06000015", language: "en" },
      { userId: admin.id, isAdmin: true },
      { baseUrl: "http://localhost" },
    );
    expect(invited.ok).toBe(true);
    await db().updateTable("app_user").set({ active: false }).where("email", "=", OFFICER.conwy).execute();

    const answers = [];
    for (const email of [OFFICER.cardiff, "nobody@authorities.example", "invitee@authorities.example", OFFICER.conwy]) {
      const outcome = await ask(email, `192.0.2.${answers.length + 30}`);
      answers.push(
        outcome.kind === "response"
          ? { status: outcome.status, location: outcome.location, cookies: outcome.response.headers.getSetCookie() }
          : outcome,
      );
    }
    for (const answer of answers) expect(answer).toEqual({ status: 302, location: "/forgot-password?sent", cookies: [] });

    // What happened behind the same answer: a link for the account, a pointer for the invitee, nothing else.
    const [cardiff] = await resetEmails(OFFICER.cardiff);
    expect(cardiff!.subject).toBe("Choose a new password for Care experience data returns");
    expect(linkIn(cardiff!.body)).toBeDefined();
    const [invitee] = await resetEmails("invitee@authorities.example");
    expect(invitee!.body).toContain("you have not set a password yet. Use the link in your invitation email");
    expect(linkIn(invitee!.body), "an invitee gets no link that would bypass their invitation").toBeUndefined();
    expect(await resetEmails("nobody@authorities.example")).toEqual([]);
    expect(await resetEmails(OFFICER.conwy)).toEqual([]);
    const requested = await audits("account.password_reset_requested");
    expect(requested.map((a) => (a.after as { outcome: string }).outcome)).toEqual(["sent", "none", "invitee", "none"]);
  });

  it("sends the link in the account's language, valid for an hour, stored hashed", async () => {
    await db().updateTable("app_user").set({ language: "cy" }).where("email", "=", OFFICER.newport).execute();
    const now = new Date("2026-12-02T10:00:00Z");
    await requestPasswordReset(db(), { email: OFFICER.newport, address: "192.0.2.40", baseUrl: "http://localhost", now });
    const [email] = await resetEmails(OFFICER.newport);
    expect(email!.subject).toBe("Dewis cyfrinair newydd ar gyfer Ffurflenni data profiad o ofal");
    expect(email!.body).toContain("Dewis cyfrinair newydd: http://localhost/set-password/");
    expect(email!.body).not.toContain("Choose a new password");
    const token = linkIn(email!.body)!;
    const link = await db().selectFrom("invitation").selectAll().where("token_hash", "=", hashToken(token)).executeTakeFirstOrThrow();
    expect(link.purpose).toBe("password_reset");
    expect((new Date(link.expires_at).getTime() - now.getTime()) / 60_000).toBe(PASSWORD_RESET_MINUTES);
    // An hour and a minute later, the link no longer works.
    const late = new Date(now.getTime() + (PASSWORD_RESET_MINUTES + 1) * 60_000);
    expect(await setPasswordWithInvitation(db(), token, NEW_PASSWORD, late)).toEqual({ ok: false, reason: "invalidLink" });
  });

  it("changes the password once through the set-password page, signs out every session, and is audited", async () => {
    const phone = await signIn(db(), OFFICER.cardiff);
    const liveSessions = () =>
      db().selectFrom("session").select("id").where("user_id", "=", phone.userId).where("revoked_at", "is", null).execute();
    expect(await liveSessions()).toHaveLength(1);
    await ask(OFFICER.cardiff, "192.0.2.50");
    const emails = await resetEmails(OFFICER.cardiff);
    const token = linkIn(emails.at(-1)!.body)!;
    const earlier = linkIn(emails[0]!.body)!;

    const page = (await setPassword.loader({
      request: get(`/set-password/${token}`),
      params: { token },
      context: {},
    } as never)) as unknown as {
      data: { page: string; purpose: string; email: string };
    };
    expect(page.data).toMatchObject({ page: "form", purpose: "password_reset", email: OFFICER.cardiff });
    // The page's own rules: too short is refused as for an invitation.
    expect(await setPasswordWithInvitation(db(), token, "short")).toMatchObject({ ok: false, reason: "password" });

    const user = await db().selectFrom("app_user").select("id").where("email", "=", OFFICER.cardiff).executeTakeFirstOrThrow();
    expect(await setPasswordWithInvitation(db(), token, NEW_PASSWORD)).toMatchObject({ ok: true, userId: user.id });
    expect(await setPasswordWithInvitation(db(), token, NEW_PASSWORD), "a second use").toEqual({ ok: false, reason: "invalidLink" });
    expect(await setPasswordWithInvitation(db(), earlier, NEW_PASSWORD), "the earlier link, replaced").toEqual({
      ok: false,
      reason: "invalidLink",
    });

    expect(await liveSessions(), "every session ended").toEqual([]);
    expect(
      (await signInModel(db(), { email: OFFICER.cardiff, password: "demo-password-2023", address: "192.0.2.51", ...noSleep })).ok,
    ).toBe(false);
    expect((await signInModel(db(), { email: OFFICER.cardiff, password: NEW_PASSWORD, address: "192.0.2.51", ...noSleep })).ok).toBe(true);
    const audit = await audits("account.reset_password");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: user.id, entity_key: String(user.id) });
    expect(JSON.stringify(audit[0])).not.toContain(token);
  });

  it(`sends at most ${RESET_THROTTLE.perEmail} links an hour per email address, counting simultaneous requests one by one`, async () => {
    const email = "officer.powys@authorities.example";
    // Sent at once, from different addresses: the lock counts them one after another.
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => requestPasswordReset(db(), { email, address: `198.51.100.${i}`, baseUrl: "http://localhost" })),
    );
    expect(outcomes.filter((o) => o === "sent")).toHaveLength(RESET_THROTTLE.perEmail);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(10 - RESET_THROTTLE.perEmail);
    expect(await resetEmails(email)).toHaveLength(RESET_THROTTLE.perEmail);
    // Through the page, the same answer as ever; nothing more is sent, and the refusal is audited.
    expect(await ask(email, "198.51.100.99")).toMatchObject({ status: 302, location: "/forgot-password?sent" });
    expect(await resetEmails(email)).toHaveLength(RESET_THROTTLE.perEmail);
    const refused = await audits("account.password_reset_refused");
    expect(refused.filter((a) => a.entity_key === email)).toHaveLength(10 - RESET_THROTTLE.perEmail + 1);
    // An hour later, a link again.
    const later = new Date(Date.now() + (RESET_THROTTLE.windowMinutes + 1) * 60_000);
    expect(await requestPasswordReset(db(), { email, address: "198.51.100.1", baseUrl: "http://localhost", now: later })).toBe("sent");
  });

  it(`takes at most ${RESET_THROTTLE.perAddress} requests an hour from one network address, whatever the emails`, async () => {
    const address = "203.0.113.9";
    const outcomes = await Promise.all(
      Array.from({ length: RESET_THROTTLE.perAddress + 5 }, (_, i) =>
        requestPasswordReset(db(), { email: `someone.${i}@example.org`, address, baseUrl: "http://localhost" }),
      ),
    );
    expect(outcomes.filter((o) => o === "none")).toHaveLength(RESET_THROTTLE.perAddress);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(5);
    // A real account asked for from that address is refused too, and from another address it is not.
    expect(await requestPasswordReset(db(), { email: OFFICER.conwy, address, baseUrl: "http://localhost" })).toBe("throttled");
    expect(await ask(OFFICER.newport, address)).toMatchObject({ status: 302, location: "/forgot-password?sent" });
  });

  it("refuses an empty form with its error, and a form without the page's token", async () => {
    const page = (await forgot.loader({ request: get("/forgot-password"), params: {}, context: {} } as never)) as unknown as {
      data: { csrf: string };
      init: { headers: Record<string, string> };
    };
    const empty = post("/forgot-password", { csrf: page.data.csrf, email: "  " });
    empty.headers.set("Cookie", page.init.headers["Set-Cookie"]!.split(";")[0]!);
    const context: Record<string, unknown> = {};
    expect(await run(() => forgot.action({ request: empty, params: {}, context } as never))).toMatchObject({
      status: 400,
      data: { error: "forgot.error.emailMissing" },
    });
    expect(context.pageHasErrors).toBe(true);
    const forged = post("/forgot-password", { csrf: "forged", email: OFFICER.cardiff });
    expect(await run(() => forgot.action({ request: forged, params: {}, context: {} } as never))).toMatchObject({ status: 403 });
  });

  it("refuses an address that is not one with the invite form's error, and records and sends nothing", async () => {
    const before = await snapshot(db());
    for (const email of ["not an email", "name@example", "@example.com", "name@example.com extra"]) {
      const context: Record<string, unknown> = {};
      expect(await ask(email, "192.0.2.70", context), email).toMatchObject({
        kind: "data",
        status: 400,
        data: { error: "account.error.emailInvalid", email },
      });
      expect(context.pageHasErrors, email).toBe(true);
    }

    // The whole page, posted as a browser posts it: the GOV.UK error summary and the field's error.
    const form = await portal.page(new Request("http://localhost/forgot-password"));
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    const refused = (lang: string) =>
      portal.page(
        new Request("http://localhost/forgot-password", {
          method: "POST",
          body: new URLSearchParams({ csrf: csrf!, email: "not an email" }),
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            Cookie: `${form.headers.get("Set-Cookie")!.split(";")[0]!}; lang=${lang}`,
          },
        }),
      );
    for (const [lang, title, prefix, message] of [
      ["en", "Reset your password", "Error:", "Enter an email address in the correct format, like name@example.com"],
      ["cy", "Ailosod eich cyfrinair", "Gwall:", "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"],
    ] as const) {
      const response = await refused(lang);
      const html = await response.text();
      expect(response.status).toBe(400);
      expect(html).toContain(`<title>${prefix} ${title} – `);
      expect(html).toMatch(new RegExp(`govuk-error-summary[\\s\\S]*href="#email">${message}<`));
      expect(html).toMatch(
        new RegExp(`govuk-error-message[^>]*><span class="govuk-visually-hidden">${prefix}</span> (<!-- -->)?${message}<`),
      );
      expect(html).toContain('value="not an email"');
    }
    expect(await snapshot(db())).toBe(before);
  });

  it("shows a reset link's page and its confirmation in the account's language, unless this browser chose one", async () => {
    const email = "officer.gwynedd@authorities.example";
    await db().updateTable("app_user").set({ language: "cy" }).where("email", "=", email).execute();
    await requestPasswordReset(db(), { email, address: "192.0.2.60", baseUrl: "http://localhost" });
    const token = linkIn((await resetEmails(email))[0]!.body)!;

    // A fresh browser, whatever it guesses from Accept-Language: the account's Welsh.
    const fresh = await page(`/set-password/${token}`, { "Accept-Language": "en-GB,en;q=0.9" });
    expect(fresh.status).toBe(200);
    expect(fresh.html).toContain('<html lang="cy"');
    expect(fresh.html).toContain("<title>Dewis cyfrinair newydd – ");
    expect(fresh.html).toContain("Dewiswch gyfrinair newydd ar gyfer eich cyfrif");
    expect(fresh.html).not.toContain("Choose a new password");
    // English chosen in this browser wins.
    const chosen = await page(`/set-password/${token}`, { Cookie: "lang=en" });
    expect(chosen.html).toContain('<html lang="en"');
    expect(chosen.html).toContain("Choose a new password for your account");

    expect(await setPasswordWithInvitation(db(), token, NEW_PASSWORD)).toMatchObject({ ok: true });
    const done = await page(`/set-password/${token}?done`);
    expect(done.html).toContain('<html lang="cy"');
    expect(done.html).toContain("Mae eich cyfrinair wedi&#x27;i newid");
  });

  it("says a used or expired reset link worked once, for an hour, and offers a new one, in both languages", async () => {
    // The words below say "an hour": the lifetime the link really has.
    expect(PASSWORD_RESET_MINUTES).toBe(60);
    const email = "officer.torfaen@authorities.example";
    const now = new Date();
    await requestPasswordReset(db(), { email, address: "192.0.2.61", baseUrl: "http://localhost", now });
    const token = linkIn((await resetEmails(email))[0]!.body)!;
    await setPasswordWithInvitation(db(), token, NEW_PASSWORD);
    await db().updateTable("app_user").set({ language: "cy" }).where("email", "=", OFFICER.newport).execute();
    await requestPasswordReset(db(), { email: OFFICER.newport, address: "192.0.2.62", baseUrl: "http://localhost" });
    const expired = linkIn((await resetEmails(OFFICER.newport)).at(-1)!.body)!;
    await db()
      .updateTable("invitation")
      .set({ expires_at: new Date(now.getTime() - 60_000) })
      .where("token_hash", "=", hashToken(expired))
      .execute();

    const used = await page(`/set-password/${token}`);
    expect(used.status).toBe(404);
    expect(used.html).toContain("A link to choose a new password works only once, and only for an hour.");
    expect(used.html).not.toContain("7 days");
    expect(used.html).not.toContain("ADSS Cymru to help you");
    expect(used.html).toMatch(/<a class="govuk-link"[^>]* href="\/forgot-password"[^>]*>Ask for another link<\/a>/);
    const welsh = await page(`/set-password/${expired}`);
    expect(welsh.status).toBe(404);
    expect(welsh.html).toContain('<html lang="cy"');
    expect(welsh.html).toContain("Dim ond unwaith y mae dolen i ddewis cyfrinair newydd yn gweithio, a dim ond am awr.");
    expect(welsh.html).toMatch(/<a class="govuk-link"[^>]* href="\/forgot-password"[^>]*>Gofyn am ddolen arall<\/a>/);
  });

  it("answers hostile addresses without a server error, and sends nothing", async () => {
    const before = await db().selectFrom("outbox").select("id").execute();
    // Well formed: the same answer as any other address.
    for (const email of [`<script>alert(1)</script>@x.example`, "tab\u0007bell@x.example"]) {
      expect(await ask(email, "192.0.2.90"), email).toMatchObject({ status: 302, location: "/forgot-password?sent" });
    }
    // Not an address: the form's errors, at once (the last is a pattern's worst case, slow if matched in full).
    for (const [email, error] of [
      ["x".repeat(1024 * 1024), "account.error.emailTooLong"],
      [`a@${"x.".repeat(100_000)} y`, "account.error.emailTooLong"],
      ["'; DROP TABLE app_user; --", "account.error.emailInvalid"],
    ]) {
      expect(await ask(email!, "192.0.2.90"), email!.slice(0, 30)).toMatchObject({ status: 400, data: { error } });
    }
    expect(await db().selectFrom("outbox").select("id").execute()).toEqual(before);
  });
});
