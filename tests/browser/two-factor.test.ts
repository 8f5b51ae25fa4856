/**
 * Two-factor authentication in a real browser: an officer turns it on from the set-up page (the
 * key read off the page, as someone who cannot scan the QR code would), gets recovery codes once,
 * then signs in with a code from the app and with a recovery code, which works only once. The demo
 * coordinator signs in with the demo key's code without JavaScript: the pages are plain forms.
 */
import { describe, expect, it } from "vitest";
import {
  chromiumMissing,
  databaseBesideMissing,
  enterCode,
  enterPassword,
  expectNoAxeViolations,
  expectRefusedForm,
  signInAs,
  usePortalInChromium,
  watchForPageErrors,
} from "../support/portal.ts";
import { codeForStep, currentStep, freshCode, giveSecondFactor } from "../support/two-factor.ts";

const OFFICER = "officer.newport@authorities.example";

const cannotRun = chromiumMissing || databaseBesideMissing("the two-factor journeys in Chromium");
describe.skipIf(cannotRun)("two-factor authentication, set up and used to sign in", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("sets up an authenticator app, then signs in with its code and with a recovery code once", async () => {
    const { portal, browser } = running;
    const url = portal.url;
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchForPageErrors(page);
    await signInAs(page, url, OFFICER);
    await page.locator("h1", { hasText: "Your returns" }).waitFor();

    await page.getByRole("link", { name: "Two-factor authentication" }).click();
    await page.locator("h1", { hasText: "Two-factor authentication" }).waitFor();
    await expect(page.locator("svg.app-qr-code title").textContent()).resolves.toBe(
      "QR code that adds this service to an authenticator app",
    );
    await expectNoAxeViolations(page);
    await page.getByText("If you cannot scan the QR code").click();
    const secret = (await page.getByTestId("two-factor-secret").textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const input = page.getByLabel("Code", { exact: true });
    await expect(input.getAttribute("inputmode")).resolves.toBe("numeric");
    await expect(input.getAttribute("autocomplete")).resolves.toBe("one-time-code");

    // A wrong code: the error summary and the message by the field, and nothing turned on.
    const wrong = codeForStep(secret, currentStep() - 10);
    await input.fill(wrong);
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await expectRefusedForm(page);
    await expect(page.locator("#code-error").textContent()).resolves.toContain("The code is not right");

    await page.getByLabel("Code", { exact: true }).fill(await freshCode(secret, `${url} ${OFFICER}`));
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.locator("h1", { hasText: "Your recovery codes" }).waitFor();
    const codes = await page.locator(".app-recovery-codes code").allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    await expectNoAxeViolations(page);
    const stored = await portal.database.db
      .selectFrom("recovery_code as r")
      .innerJoin("app_user as u", "u.id", "r.user_id")
      .select("r.code_hash")
      .where("u.email", "=", OFFICER)
      .execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(codes).not.toContain(code_hash);

    // The recovery codes are not shown again.
    await page.goto(`${url}/account/two-factor`);
    await page.locator("p", { hasText: "Two-factor authentication is on" }).waitFor();
    await expect(page.locator("body").textContent()).resolves.not.toContain(codes[0]);
    await expect(page.locator("body").textContent()).resolves.toContain("Recovery codes not yet used: 10");

    // Signing in now asks for a code before there is a session.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("h1", { hasText: "Sign in" }).waitFor();
    await enterPassword(page, url, OFFICER);
    await page.locator("h1", { hasText: "Enter the code from your authenticator app" }).waitFor();
    await expectNoAxeViolations(page);
    await page.goto(`${url}/`);
    await page.locator("h1", { hasText: "Sign in" }).waitFor();
    await page.goBack();
    await page.locator("h1", { hasText: "Enter the code from your authenticator app" }).waitFor();
    await page.getByLabel("Code", { exact: true }).fill(wrong);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expectNoAxeViolations(page);
    await enterCode(page, url, OFFICER, { totpSecret: secret });
    await page.locator("h1", { hasText: "Your returns" }).waitFor();

    // A recovery code instead of the app: once.
    for (const attempt of ["first", "second"] as const) {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("h1", { hasText: "Sign in" }).waitFor();
      await enterPassword(page, url, OFFICER);
      await page.locator("h1", { hasText: "Enter the code from your authenticator app" }).waitFor();
      await page.getByRole("link", { name: "I cannot use my authenticator app" }).click();
      await page.locator("h1", { hasText: "Enter a recovery code" }).waitFor();
      if (attempt === "first") await expectNoAxeViolations(page);
      await page.getByLabel("Recovery code").fill(codes[3]!.toUpperCase());
      await page.getByRole("button", { name: "Continue" }).click();
      if (attempt === "first") {
        await page.locator("h1", { hasText: "Your returns" }).waitFor();
      } else {
        await page.locator(".govuk-error-summary").waitFor();
        await expect(page.locator("#recoveryCode-error").textContent()).resolves.toContain("has already been used");
        await expectNoAxeViolations(page);
      }
    }
    // Another recovery code still works.
    await page.getByLabel("Recovery code").fill(codes[4]!);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator("h1", { hasText: "Your returns" }).waitFor();

    const audited = await portal.database.db
      .selectFrom("audit_log")
      .select(["action", "after"])
      .where("action", "like", "two_factor.%")
      .orderBy("id")
      .execute();
    expect(audited.map((a) => a.action)).toEqual([
      "two_factor.set_up_code_wrong",
      "two_factor.set_up",
      "two_factor.code_wrong",
      "two_factor.code_wrong",
    ]);
    // Refused forms are answered 400 or 429, which the browser reports; nothing else may be.
    expect(errors.filter((e) => !/^Failed to load resource: .* (400|429) /.test(e))).toEqual([]);
    await context.close();
  });

  it("signs the demo coordinator in with a code from the demo key, without JavaScript", async () => {
    const context = await running.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAs(page, running.portal.url, "coordinator@adss-cymru.example");
    await page.locator("h1", { hasText: "Information requests" }).waitFor();
    await page.goto(`${running.portal.url}/account/two-factor`);
    await page.locator("p", { hasText: "Two-factor authentication is on" }).waitFor();
    await context.close();
  });

  it("lets an admin reset another person's second factor, with a reason, audited", async () => {
    const { portal, browser } = running;
    const db = portal.database.db;
    const officer = await db
      .selectFrom("app_user")
      .select(["id", "name"])
      .where("email", "=", "officer.conwy@authorities.example")
      .executeTakeFirstOrThrow();
    await giveSecondFactor(db, officer.id);
    const page = await browser.newPage();
    await signInAs(page, portal.url, "coordinator@adss-cymru.example");
    await page.goto(`${portal.url}/admin/users`);
    await page.getByRole("link", { name: `Reset two-factor ${officer.name}` }).click();
    await page.locator("h1", { hasText: `Reset the two-factor authentication of ${officer.name}?` }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Reset two-factor authentication" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator("#reason-error").textContent()).resolves.toContain("Enter the reason for this change");
    await expectNoAxeViolations(page);
    await page.getByLabel("Why are you resetting it?").fill("Lost phone, confirmed by a call to Conwy's office");
    await page.getByRole("button", { name: "Reset two-factor authentication" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Their two-factor authentication has been reset" }).waitFor();
    const audit = await db
      .selectFrom("audit_log")
      .select(["actor_user_id", "reason", "entity_key"])
      .where("action", "=", "two_factor.reset")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ entity_key: String(officer.id), reason: "Lost phone, confirmed by a call to Conwy's office" });
    await page.close();

    // The officer signs in with the password alone again.
    const theirs = await browser.newPage();
    await signInAs(theirs, portal.url, "officer.conwy@authorities.example");
    await theirs.locator("h1", { hasText: "Your returns" }).waitFor();
    await theirs.close();
  });
});
