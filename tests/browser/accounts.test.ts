/**
 * Accounts people can get back into, in a real browser (issue 16): a forgotten password from the
 * sign-in page to signing in with the new one, a resent invitation, reactivation, and sessions
 * ended from elsewhere. Emails are read from the outbox, as a person reads their inbox.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  chromiumMissing,
  databaseBesideMissing,
  expectNoAxeViolations,
  expectRefusedForm,
  signInAs,
  usePortalInChromium,
  watchForPageErrors,
} from "../support/portal.ts";

const ADMIN = "coordinator@adss-cymru.example";
const NEW_PASSWORD = "kettle orchard lantern ribbon";

const cannotRun = chromiumMissing || databaseBesideMissing("the account recovery journeys in Chromium");
describe.skipIf(cannotRun)("accounts people can get back into", { timeout: 240_000 }, () => {
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

  async function choosePassword(page: Page, link: string, heading: string, button: string, welsh = false) {
    const opened = await page.goto(link);
    expect(opened!.status()).toBe(200);
    await page.locator("h1", { hasText: heading }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel(welsh ? "Cyfrinair" : "Password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel(welsh ? "Teipiwch y cyfrinair eto" : "Type the password again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: button }).click();
    await page.waitForURL((u) => u.searchParams.has("done"));
  }

  /** A new page, with the admin signed in on it. */
  const adminPage = async () => {
    const page = await running.browser.newPage();
    await signInAs(page, running.portal.url, ADMIN);
    return page;
  };

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
    await expectRefusedForm(page);
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
  it("sends an invitation again: the old link is refused, the new one works", async () => {
    const { portal, browser } = running;
    const invitee = "resent.officer@authorities.example";
    const admin = await adminPage();
    /** Rhys Morgan, a Welsh-speaking officer of Newport, invited through the new account page. */
    const invite = async () => {
      await admin.goto(`${portal.url}/admin/users/new`);
      await admin.getByLabel("Email address").fill(invitee);
      await admin.getByLabel("Full name").fill("Rhys Morgan");
      await admin.getByLabel("Local authority officer").check();
      await admin.getByLabel("Which authority do they work for?").selectOption({ label: "Newport" });
      await admin.getByLabel("Welsh", { exact: true }).check();
      await admin.getByRole("button", { name: "Create account and send invitation" }).click();
    };
    // Refused empty, the form's error summary takes focus; choosing a role after that leaves focus
    // on the role chosen, where a keyboard user goes on from (it used to jump back to the summary).
    await admin.goto(`${portal.url}/admin/users/new`);
    await admin.getByRole("button", { name: "Create account and send invitation" }).click();
    await admin.waitForFunction(() => document.activeElement?.classList.contains("govuk-error-summary"));
    const officerRole = admin.getByLabel("Local authority officer");
    await officerRole.focus();
    await admin.keyboard.press("Space");
    await expect(officerRole.isChecked()).resolves.toBe(true);
    await admin.getByLabel("Which authority do they work for?").waitFor();
    await expect(officerRole.evaluate((radio) => radio === document.activeElement)).resolves.toBe(true);

    await invite();
    await admin.locator("h1", { hasText: "Accounts" }).waitFor();
    const oldLink = await linkFromOutbox("invitation", invitee);

    // Inviting the same address again is no dead end: the page leads to the person's account.
    await invite();
    await admin.locator(".govuk-error-summary").waitFor();
    await admin.getByRole("link", { name: `Go to the account of ${invitee}` }).click();
    await admin.locator("h1", { hasText: "Rhys Morgan" }).waitFor();
    await expectNoAxeViolations(admin);
    await admin.getByRole("button", { name: "Send the invitation again" }).click();
    await admin.locator(".govuk-notification-banner__heading", { hasText: "The invitation has been sent again" }).waitFor();
    await expectNoAxeViolations(admin);
    const newLink = await linkFromOutbox("invitation", invitee);
    expect(newLink).not.toBe(oldLink);

    // In a browser of their own, which has chosen no language: the one the admin chose for them.
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused = await page.goto(oldLink);
    expect(refused!.status(), "the old link").toBe(404);
    await page.locator("h1", { hasText: "Mae'r ddolen hon wedi dod i ben neu wedi'i defnyddio eisoes" }).waitFor();
    await choosePassword(page, newLink, "Gosod eich cyfrinair", "Gosod y cyfrinair", true);
    await page.locator("h1", { hasText: "Mae eich cyfrinair wedi'i osod" }).waitFor();
    // The sign-in page it leads to stays in Welsh: setting the password keeps the account's language in this browser.
    await page.getByRole("button", { name: "Mewngofnodi" }).press("Enter");
    await page.waitForURL((u) => u.pathname === "/login");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("cy");
    await page.locator("h1", { hasText: "Mewngofnodi" }).waitFor();
    await signInAs(page, portal.url, invitee, NEW_PASSWORD, { lang: "cy" });
    await page.locator("h1", { hasText: "Eich ffurflenni" }).waitFor();
    await context.close();
    await admin.close();
  });

  it("deactivates an account only with a reason: without one, the error summary and the field say so, with and without JavaScript", async () => {
    const { portal, browser } = running;
    const analyst = "analyst@gov-wales.example";
    const id = await portal.database.db.selectFrom("app_user").select("id").where("email", "=", analyst).executeTakeFirstOrThrow();
    const path = `${portal.url}/admin/users/${id.id}/deactivate`;

    // A plain form: the refusal is the page the server sends back.
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await signInAs(plain, portal.url, ADMIN);
    await plain.goto(path);
    await plain.getByRole("button", { name: "Deactivate account" }).click();
    await plain.locator(".govuk-error-summary").waitFor();
    await expect(plain.title()).resolves.toMatch(/^Error: /);
    const summaryLink = plain.locator(".govuk-error-summary a", { hasText: "Enter the reason for this change" });
    await expect(summaryLink.getAttribute("href")).resolves.toBe("#reason");
    await expect(plain.locator("#reason-error").textContent()).resolves.toContain("Enter the reason for this change");
    await expect(plain.locator("#reason").getAttribute("aria-describedby")).resolves.toContain("reason-error");
    await noScript.close();
    const account = await portal.database.db.selectFrom("app_user").select("active").where("id", "=", id.id).executeTakeFirstOrThrow();
    expect(account.active, "still active after the refusal").toBe(true);

    // With JavaScript: the error state passes axe, then the reason is taken and shown on the account.
    const admin = await adminPage();
    await admin.goto(path);
    await expectNoAxeViolations(admin);
    await admin.getByRole("button", { name: "Deactivate account" }).click();
    await expectRefusedForm(admin);
    await admin.getByLabel("Why are you deactivating this account?").fill("Moved to another team.");
    await admin.getByRole("button", { name: "Deactivate account" }).click();
    await admin.locator(".govuk-notification-banner__heading", { hasText: "deactivated" }).waitFor();
    await admin.goto(`${portal.url}/admin/users/${id.id}`);
    await expect(admin.locator("main q").textContent()).resolves.toBe("Moved to another team.");
    await admin.close();
  });

  it("reactivates a deactivated account with a reason, shown on the accounts page; the accounts page fits 320 px", async () => {
    const { portal, browser } = running;
    const analyst = "analyst@gov-wales.example";
    const admin = await adminPage();
    const id = await portal.database.db.selectFrom("app_user").select("id").where("email", "=", analyst).executeTakeFirstOrThrow();
    const account = await portal.database.db.selectFrom("app_user").select("active").where("id", "=", id.id).executeTakeFirstOrThrow();
    if (account.active) {
      await admin.goto(`${portal.url}/admin/users/${id.id}/deactivate`);
      await admin.getByLabel("Why are you deactivating this account?").fill("On secondment.");
      await admin.getByRole("button", { name: "Deactivate account" }).click();
      await admin.locator(".govuk-notification-banner__heading", { hasText: "deactivated" }).waitFor();
    }

    await admin.goto(`${portal.url}/admin/users/${id.id}`);
    await admin.getByRole("link", { name: /^Reactivate/ }).click();
    await admin.locator("h1", { hasText: "Reactivate the account of" }).waitFor();
    await expectNoAxeViolations(admin);
    await admin.getByRole("button", { name: "Reactivate account" }).click();
    await expectRefusedForm(admin);
    await admin.getByLabel("Why are you reactivating this account?").fill("Back from secondment.");
    await admin.getByRole("button", { name: "Reactivate account" }).click();
    await admin.locator(".govuk-notification-banner__heading", { hasText: "The account has been reactivated" }).waitFor();
    await expect(admin.locator("main q").textContent()).resolves.toBe("Back from secondment.");
    await expectNoAxeViolations(admin);

    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, portal.url, analyst);
    await page.locator("h1", { hasText: "Information requests" }).waitFor();
    await context.close();

    // Every account's state and last sign-in, without sideways scrolling on a narrow phone.
    await admin.setViewportSize({ width: 320, height: 800 });
    await admin.goto(`${portal.url}/admin/users`);
    await admin.locator("h1", { hasText: "Accounts" }).waitFor();
    const width = await admin.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "the accounts page at 320 px").toBeLessThanOrEqual(320);
    await admin.getByRole("button", { name: "Cymraeg" }).click();
    await admin.locator("h1", { hasText: "Cyfrifon" }).waitFor();
    expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await expectNoAxeViolations(admin);
    await admin.getByRole("button", { name: "English" }).click();
    await admin.locator("h1", { hasText: "Accounts" }).waitFor();
    await admin.close();
  });

  it("lets a person end a session of theirs elsewhere, and an admin end all of them", async () => {
    const { portal, browser } = running;
    const officer = "officer.newport@authorities.example";
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    const [onLaptop, onPhone] = [await laptop.newPage(), await phone.newPage()];
    await signInAs(onLaptop, portal.url, officer);
    await signInAs(onPhone, portal.url, officer);

    await onLaptop.goto(`${portal.url}/account/sessions`);
    await onLaptop.locator("h1", { hasText: "Your sessions" }).waitFor();
    await expectNoAxeViolations(onLaptop);
    const cards = onLaptop.locator(".govuk-summary-card");
    await expect(cards.count()).resolves.toBe(2);
    // The other device's card: the one not marked "This device".
    const other = cards.filter({ hasNot: onLaptop.locator(".govuk-tag", { hasText: "This device" }) });
    await other.getByRole("button", { name: /^End this session/ }).click();
    await onLaptop.locator(".govuk-notification-banner__heading", { hasText: "The session has been ended" }).waitFor();
    await expect(onLaptop.locator(".govuk-summary-card").count()).resolves.toBe(1);
    expect(await isSignedIn(onPhone), "the phone was signed out").toBe(false);
    expect(await isSignedIn(onLaptop)).toBe(true);

    await onLaptop.goto(`${portal.url}/account/sessions`);
    await onLaptop.getByRole("button", { name: "Cymraeg" }).click();
    await onLaptop.locator("h1", { hasText: "Eich sesiynau" }).waitFor();
    await expectNoAxeViolations(onLaptop);
    await onLaptop.getByRole("button", { name: "English" }).click();
    await onLaptop.locator("h1", { hasText: "Your sessions" }).waitFor();

    const admin = await adminPage();
    const id = await portal.database.db.selectFrom("app_user").select("id").where("email", "=", officer).executeTakeFirstOrThrow();
    await admin.goto(`${portal.url}/admin/users/${id.id}`);
    await admin.getByRole("button", { name: "Sign out everywhere" }).click();
    await admin.locator(".govuk-notification-banner__heading", { hasText: "All of the person's sessions have been ended" }).waitFor();
    expect(await isSignedIn(onLaptop), "the laptop was signed out by the admin").toBe(false);
    await admin.close();
    await laptop.close();
    await phone.close();
  });
});
