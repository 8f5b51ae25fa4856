/**
 * Accounts people can get back into, in a real browser (issue 16): a forgotten password from the
 * sign-in page to signing in with the new one, a resent invitation, reactivation, and sessions
 * ended from elsewhere. Emails are read from the outbox, as a person reads their inbox.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium, watchForPageErrors } from "../support/portal.ts";

const NEW_PASSWORD = "kettle orchard lantern ribbon";

describe.skipIf(chromiumMissing)("accounts people can get back into", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  /** The newest email of a kind to an address, and the set-password link in it, on the test server. */
  async function linkFromOutbox(kind: "invitation" | "password_reset", to: string) {
    const { portal } = running;
    const email = await portal.database.db
      .selectFrom("outbox")
      .select("body")
      .where("kind", "=", kind)
      .where("to_email", "=", to)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const publicUrl = portal.url.replace(/^http:/, "https:");
    const path = new RegExp(`${publicUrl.replace(/[.:/]/g, "\\$&")}(/set-password/[A-Za-z0-9_-]+)`).exec(email.body)?.[1];
    expect(path, `the link, on ${publicUrl}: ${email.body}`).toBeDefined();
    return `${portal.url}${path}`;
  }

  async function choosePassword(page: Page, link: string, heading: string, button: string) {
    const opened = await page.goto(link);
    expect(opened!.status()).toBe(200);
    await page.locator("h1", { hasText: heading }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Type the password again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: button }).click();
    await page.waitForURL((u) => u.searchParams.has("done"));
  }

  const isSignedIn = async (page: Page) => {
    await page.goto(`${running.portal.url}/`);
    return !new URL(page.url()).pathname.startsWith("/login");
  };

  it("gets an officer who forgot their password back in, through the emailed link, once", async () => {
    const { portal, browser } = running;
    const officer = "officer.cardiff@authorities.example";
    // Signed in on another device, which the new password signs out.
    const elsewhere = await browser.newContext();
    const other = await elsewhere.newPage();
    await signInAs(other, portal.url, officer);
    expect(await isSignedIn(other)).toBe(true);

    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchForPageErrors(page);
    await page.goto(`${portal.url}/login`);
    await page.getByRole("link", { name: "Forgotten your password?" }).click();
    await page.locator("h1", { hasText: "Reset your password" }).waitFor();
    await expectNoAxeViolations(page);
    // The empty form: its error, as every form shows one.
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await expectNoAxeViolations(page);
    await page.getByLabel("Email address").fill(officer);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.locator("h1", { hasText: "Check your email" }).waitFor();
    await expectNoAxeViolations(page);

    const link = await linkFromOutbox("password_reset", officer);
    await choosePassword(page, link, "Choose a new password", "Change password");
    await page.locator("h1", { hasText: "Your password has been changed" }).waitFor();
    await expectNoAxeViolations(page);

    // The link works once.
    const again = await page.goto(link);
    expect(again!.status()).toBe(404);
    await page.locator("h1", { hasText: "This link has expired or has already been used" }).waitFor();

    await signInAs(page, portal.url, officer, NEW_PASSWORD);
    await page.locator("h1", { hasText: "Your returns" }).waitFor();
    expect(await isSignedIn(other), "the other device was signed out").toBe(false);
    // The refused empty form (400) and the used link (404) are meant; nothing else may be reported.
    expect(
      errors.filter((e) => !/^Failed to load resource: the server responded with a status of (400|404)/.test(e)),
      "no script or CSP errors on the way",
    ).toEqual([]);
    await context.close();
    await elsewhere.close();
  });

  it("asks for the link in Welsh, axe clean", async () => {
    const { portal, browser } = running;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.url}/language?lang=cy&returnTo=/login`);
    await page.getByRole("link", { name: "Wedi anghofio'ch cyfrinair?" }).click();
    await page.locator("h1", { hasText: "Ailosod eich cyfrinair" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Cyfeiriad e-bost").fill("nobody@authorities.example");
    await page.getByRole("button", { name: "Anfon y ddolen" }).click();
    await page.locator("h1", { hasText: "Gwiriwch eich e-bost" }).waitFor();
    await expectNoAxeViolations(page);
    await context.close();
  });
});
