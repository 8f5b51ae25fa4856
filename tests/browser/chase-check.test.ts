import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";

const ROUND = "2026-12-care-experienced-parents";
const CAERPHILLY = "W06000018";
const BLAENAU_GWENT = "W06000019";

/** A coordinator's page, with or without JavaScript. */
async function coordinatorPage(browser: Browser, url: string, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInAs(page, url, "coordinator@adss-cymru.example");
  return page;
}

/** The board's filter and sort, from the page's address. */
const searchOf = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

// The outbox is read on the server's PostgreSQL database, to compare with what the page showed.
const cannotRun = chromiumMissing || databaseBesideMissing("the chase's check page in Chromium");
describe.skipIf(cannotRun)("a chase, checked before it is sent, in the browser", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();
  const chases = (authorityCode: string) =>
    running.portal.database.db
      .selectFrom("outbox")
      .select(["to_email", "subject", "body"])
      .where("kind", "=", "chase")
      .where("authority_code", "=", authorityCode)
      .execute();

  for (const javaScript of [true, false]) {
    it(`board → check page (axe clean with JavaScript) → cancel, back to the filtered board → send → the board's banner, ${javaScript ? "with" : "without"} JavaScript`, async () => {
      const url = running.portal.url;
      const [authority, name] = javaScript ? [CAERPHILLY, "Caerphilly"] : [BLAENAU_GWENT, "Blaenau Gwent"];
      const officer = `officer.${name.toLowerCase().replace(" ", "-")}@authorities.example`;
      const page = await coordinatorPage(running.browser, url, javaScript);
      await page.goto(`${url}/collections/${ROUND}/board?region=gwent&sort=status`);

      // The board's "Send a chase" is a link to the check page, which sends nothing.
      await page.getByRole("link", { name: `Send a chase ${name}` }).click();
      await page.waitForURL(new RegExp(`/chase/${authority}\\?`));
      await page.locator("h1", { hasText: "Check the chase before you send it" }).waitFor();
      await expect(page.title()).resolves.toMatch(new RegExp(`^Check the chase before you send it: ${name} – `));
      await expect(page.locator("#chase-recipients").textContent()).resolves.toContain(`Demo Officer (${name}) (${officer})`);
      // axe runs as a script in the page: with JavaScript only (the page is the same without).
      if (javaScript) await expectNoAxeViolations(page);
      const email = page.locator(`[data-recipient="${officer}"]`);
      const shown = {
        to_email: officer,
        subject: await email.locator("[data-subject]").textContent(),
        body: await email.locator("[data-body]").textContent(),
      };
      // The first email is open to read: in Welsh and English, each marked with its language.
      await expect(email.locator("[data-body]").isVisible()).resolves.toBe(true);
      await expect(email.locator("[data-body] [lang=cy]").textContent()).resolves.toContain(`Annwyl Demo Officer (${name}),`);
      await expect(email.locator("[data-body] [lang=en]").textContent()).resolves.toContain(`Dear Demo Officer (${name}),`);
      expect(await chases(authority)).toEqual([]);

      // Cancel: the board as it was left, and still nothing sent.
      await page.getByRole("link", { name: "Cancel" }).click();
      await page.waitForURL(/\/board\?/);
      expect(searchOf(page)).toEqual({ region: "gwent", sort: "status" });
      await page.locator("th[aria-sort=ascending]", { hasText: "Status" }).waitFor();
      expect(await chases(authority)).toEqual([]);

      // Send: the board's banner, its filters kept, and in the outbox what the page showed.
      await page.getByRole("link", { name: `Send a chase ${name}` }).click();
      await page.getByRole("button", { name: "Send chase" }).click();
      await page.waitForURL(new RegExp(`chased=${authority}`));
      expect(searchOf(page)).toEqual({ region: "gwent", sort: "status", chased: authority });
      await expect(page.locator(".govuk-notification-banner").textContent()).resolves.toContain(
        `Chase sent about ${name}'s return to ${officer}`,
      );
      expect(await chases(authority)).toEqual([shown]);

      // Asked again the same day: nothing would be sent, said so, and no button.
      await page.getByRole("link", { name: `Send a chase ${name}` }).click();
      await page.locator("h1", { hasText: "No chase to send" }).waitFor();
      await expect(page.locator("#chase-refused").textContent()).resolves.toContain(`${name} was already chased today.`);
      await expect(page.getByRole("button", { name: "Send chase" }).count()).resolves.toBe(0);
      if (javaScript) await expectNoAxeViolations(page);
      await page.context().close();
    });
  }
});
