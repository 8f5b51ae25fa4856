/**
 * The invitation journey in a real browser: an admin invites an officer, the link is read from the
 * outbox, the invitee opens it, sets a password and signs in. The set-password page keeps
 * `Referrer-Policy: no-referrer` (its address holds the token), so the browser posts its form with
 * `Origin: null`; Remix's origin check answered that with a 500, and no invited person could get in.
 * Only a browser shows this: loader and action tests send no Origin at all.
 */
import { describe, expect, it } from "vitest";
import {
  chromiumMissing,
  databaseBesideMissing,
  expectNoAxeViolations,
  signInAs,
  usePortalInChromium,
  watchForPageErrors,
} from "../support/portal.ts";

const ADMIN = "coordinator@adss-cymru.example";
const INVITEE = "new.officer@authorities.example";
const PASSWORD = "kettle orchard lantern ribbon";

const cannotRun = chromiumMissing || databaseBesideMissing("the invitation journey in Chromium");
describe.skipIf(cannotRun)("an invitation, from the admin's form to the invitee signed in", () => {
  const running = usePortalInChromium();

  it("lets the invitee set a password through the emailed link, and sign in with it", async () => {
    const { portal, browser } = running;
    const admin = await browser.newPage();
    await signInAs(admin, portal.url, ADMIN);
    await admin.goto(`${portal.url}/admin/users/new`);
    await admin.getByLabel("Email address").fill(INVITEE);
    await admin.getByLabel("Full name").fill("Nia Evans");
    await admin.getByLabel("Local authority officer").check();
    await admin.getByLabel("Which authority do they work for?").selectOption({ label: "Cardiff" });
    await admin.getByLabel("English").check();
    await admin.getByRole("button", { name: "Create account and send invitation" }).click();
    await admin.waitForURL((u) => u.pathname === "/admin/users");

    // The email waits in the outbox (no SMTP_URL); its link is on the portal's public address
    // (PUBLIC_URL, an https stand-in here), never the request's: followed here on the test server.
    const email = await portal.database.db
      .selectFrom("outbox")
      .select(["body", "to_email"])
      .where("kind", "=", "invitation")
      .where("to_email", "=", INVITEE)
      .executeTakeFirstOrThrow();
    const publicUrl = portal.url.replace(/^http:/, "https:");
    const found = new RegExp(`${publicUrl.replace(/[.:/]/g, "\\$&")}(/set-password/[A-Za-z0-9_-]+)`).exec(email.body)?.[1];
    expect(found, `the invitation's link, on ${publicUrl}: ${email.body}`).toBeDefined();
    const link = `${portal.url}${found}`;

    // The invitee, in a browser of their own.
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchForPageErrors(page);
    const opened = await page.goto(link!);
    expect(opened!.status()).toBe(200);
    // The browser follows the last policy it is given: the page's own, after the server's default.
    expect(opened!.headers()["referrer-policy"]?.split(/[\n,]/).pop()?.trim()).toBe("no-referrer");
    await expect(page.locator("h1").textContent()).resolves.toBe("Set your password");
    await expectNoAxeViolations(page);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/set-password/"));
    await page.getByRole("button", { name: "Set password" }).click();
    const response = await posted;
    expect(response.request().headers().origin ?? "null", "the browser withholds the origin under no-referrer").toBe("null");
    expect(response.status(), `the set-password post: ${portal.output().slice(-2000)}`).toBeLessThan(400);
    await page.waitForURL((u) => u.searchParams.has("done"));
    await page.locator("h1", { hasText: "Your password has been set" }).waitFor();
    await expectNoAxeViolations(page);

    expect(errors, "no script or CSP errors on the way").toEqual([]);

    // The link works once.
    const again = await page.goto(link!);
    expect(again!.status()).toBe(404);

    await signInAs(page, portal.url, INVITEE, PASSWORD);
    await expect(page.locator("h1").textContent()).resolves.toBe("Your returns");
    await expectNoAxeViolations(page);
    await context.close();
    await admin.close();
  }, 120_000);
});
