import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { catalogues } from "#app/i18n/i18n.ts";
import { DEMO_PASSWORD } from "#seeds/demo.ts";
import { chromiumMissing, enterCode, enterPassword, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { postgresFor } from "../support/engine.ts";

const ROUND = "2026-12-care-experienced-parents";
const FEB = "2023-02-care-experienced-parents";

/**
 * English text from the catalogue that a Welsh page must not contain: each message's literal
 * fragments between placeholders, long enough to be distinctive, and not also found in Welsh
 * (proper names such as "ADSS Cymru").
 */
const welshText = JSON.stringify(Object.values(catalogues.cy));
const englishFragments = [
  ...new Set(
    Object.values(catalogues.en)
      .flatMap((message) => (typeof message === "string" ? [message] : Object.values(message)))
      .flatMap((text) => text.split(/\{\w+\}/))
      .map((fragment) =>
        fragment
          .trim()
          .replace(/^[:;,.()‘’]+|[:;,.()‘’]+$/g, "")
          .trim(),
      )
      .filter((fragment) => fragment.length >= 12 && fragment.includes(" ") && !welshText.includes(fragment)),
  ),
];

async function expectAllWelsh(page: Page) {
  await expect(page.locator("html").getAttribute("lang")).resolves.toBe("cy");
  // The words a reader sees, but those marked as written in another language (an email written in
  // English for an English-speaking recipient, listed on the outbox page).
  const text = await page.evaluate(() => {
    const otherLanguage = [...document.querySelectorAll<HTMLElement>("body [lang]:not([lang='cy'])")];
    for (const element of otherLanguage) element.style.display = "none";
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is wanted, without what is hidden.
    const seen = document.body.innerText;
    for (const element of otherLanguage) element.style.display = "";
    return seen;
  });
  expect(
    englishFragments.filter((fragment) => text.includes(fragment)),
    `English on ${page.url()}`,
  ).toEqual([]);
}

async function check(page: Page) {
  await expectAllWelsh(page);
  await expectNoAxeViolations(page);
}

/** The round's pages whose tables are wider than the page at 1280 px: they scroll sideways in their wrappers. */
const WIDE_TABLES = [`/collections/${ROUND}`, `/collections/${ROUND}/gaps`];

/** That the page has a table wider than its wrapper: the case axe's "scrollable-region-focusable" is about. */
async function expectTableScrollsSideways(page: Page) {
  const overflowing = await page
    .locator(".app-table-wrapper")
    .evaluateAll((wrappers) => wrappers.filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth).length);
  expect(overflowing, `a table scrolling sideways on ${page.url()}`).toBeGreaterThan(0);
}

async function chooseWelsh(page: Page, url: string) {
  await page.goto(`${url}/language?lang=cy&returnTo=/login`);
}

describe.skipIf(chromiumMissing)("Cymraeg throughout, and accessible", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("lets a Welsh-speaking officer sign in, fill in, submit and amend a return without meeting English", async () => {
    const page = await running.browser.newPage();
    const url = running.portal.url;
    await chooseWelsh(page, url);
    await check(page);
    await page.getByRole("button", { name: "Mewngofnodi" }).click();
    await page.waitForLoadState();
    await expect(page.title()).resolves.toMatch(/^Gwall: /);
    await check(page);
    await signInAs(page, url, "officer.cardiff@authorities.example", DEMO_PASSWORD, { lang: "cy" });
    await check(page);

    await page.goto(`${url}/returns/${ROUND}/W06000015`);
    await check(page);
    // The number box is there from the start: typing a number is one step.
    await page.locator("#item-care_leavers_21_25").getByLabel("Rhif", { exact: true }).fill("deuddeg");
    await page.getByRole("button", { name: "Cadw fel drafft" }).click();
    await page.waitForLoadState();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain("rhowch rif, fel 12");
    await check(page);
    await page.locator("#care_leavers_21_25-number").fill("95");
    await page.locator("#care_experienced_parents-number").fill("12");
    const removed = page.locator("#item-care_experienced_parents_child_removed");
    await removed.getByLabel("Ni allaf roi rhif", { exact: true }).check();
    await removed.getByLabel("Heb ei gasglu", { exact: true }).check();
    await removed.getByLabel("Rheswm", { exact: true }).fill("Nid ydym yn cysylltu cofnodion rhieni â chofnodion eu plant.");
    await page.getByRole("button", { name: "Cadw a gwirio eich atebion" }).click();
    await page.waitForURL(/\/check$/);
    await check(page);
    await page.getByRole("button", { name: "Cyflwyno'r ffurflen" }).click();
    await page.waitForLoadState();
    await expect(page.title()).resolves.toMatch(/^Gwall: /);
    await check(page);
    await page.getByLabel("Ei rôl neu ei swydd").fill("Pennaeth Gwasanaethau Plant");
    await page.getByRole("button", { name: "Cyflwyno'r ffurflen" }).click();
    await page.waitForURL(/\/submitted\?version=1$/);
    await check(page);
    await page.getByRole("link", { name: "Gweld eich ffurflen" }).click();
    await check(page);
    await page.getByRole("link", { name: "Diwygio'r ffurflen hon" }).click();
    await check(page);
    await page.getByLabel("Pam ydych chi'n diwygio'r ffurflen hon?").fill("Daethom o hyd i achos hwyr.");
    await page.getByRole("button", { name: "Ailagor y ffurflen" }).click();
    await page.waitForURL(new RegExp(`/returns/${ROUND}/W06000015$`));
    await page.getByRole("button", { name: "Cadw a gwirio eich atebion" }).click();
    await page.waitForURL(/\/check$/);
    await page.getByLabel("Ei rôl neu ei swydd").fill("Pennaeth Gwasanaethau Plant");
    await page.getByRole("button", { name: "Cyflwyno'r ffurflen" }).click();
    await page.waitForURL(/\/submitted\?version=2$/);
    await page.goto(`${url}/returns/${ROUND}/W06000015/history`);
    await check(page);
    for (const path of [
      `/collections/${FEB}`,
      `/collections/${FEB}/items/care_leavers_21_25`,
      "/items/care_leavers_21_25",
      "/accessibility",
    ]) {
      await page.goto(`${url}${path}`);
      await check(page);
    }
    await page.close();
  });

  it("lets a coordinator run the board, the gaps view and the design pages in Welsh", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const url = running.portal.url;
    await chooseWelsh(page, url);
    await enterPassword(page, url, "coordinator@adss-cymru.example", DEMO_PASSWORD, { lang: "cy" });
    // A coordinator's second factor: the code page, in Welsh too.
    await page.locator("h1", { hasText: "Rhowch y cod o'ch ap dilysu" }).waitFor();
    await check(page);
    await enterCode(page, url, "coordinator@adss-cymru.example", { lang: "cy" });
    await check(page);
    await page.goto(`${url}/account/two-factor`);
    await check(page);
    // An email a worker handed over and never saw answered: the outbox page asks for a decision, in Welsh too.
    // The test can write to the portal's database only on PostgreSQL (always in CI): an embedded
    // portal's database is open in the portal's process alone, and the outbox page is then checked without it.
    if (postgresFor("the outbox's uncertain email, in both languages")) {
      const at = new Date();
      await running.portal.database.db
        .insertInto("outbox")
        .values({
          kind: "query",
          to_email: "swyddog@authorities.example",
          subject: "Cwestiwn",
          body: "Pam?",
          handed_over_at: at,
          uncertain_at: at,
        })
        .execute();
      // And an email written in English for an English-speaking recipient: listed as it was
      // written, marked as English, so the Welsh page's check below passes over its words.
      await running.portal.database.db
        .insertInto("outbox")
        .values({
          kind: "notification",
          to_email: "coordinator.english@adss-cymru.example",
          subject: "Planted Council has submitted its return for a planted round",
          body: "Planted Council has submitted its return for a planted round.",
          language: "en",
          // The page lists the newest 200; dated a year ahead, it stays among them whatever else the walk queued.
          created_at: new Date(Date.now() + 365 * 86_400_000),
        })
        .execute();
    }
    for (const path of [
      `/collections/${FEB}`,
      `/collections/${FEB}/board`,
      `/collections/${ROUND}/board`,
      // A chase's check page: the email in Welsh and English (the English marked so), and one with nothing to send.
      `/collections/${ROUND}/chase/W06000018`,
      `/collections/${FEB}/chase/W06000018`,
      `/collections/${FEB}/gaps`,
      ...WIDE_TABLES,
      `/collections/${FEB}/items/care_leavers_21_25?colour=state`,
      `/collections/${ROUND}/design`,
      `/collections/${ROUND}/preview`,
      // An item's note and how it was counted, opened by its "Add a note…".
      `/collections/${ROUND}/preview?more=care_leavers_21_25`,
      `/returns/${FEB}/W06000016`,
      "/collections/new",
      "/catalogue",
      "/catalogue/new",
      "/outbox",
      "/admin/users",
      "/admin/users/new",
      "/admin/users/3/deactivate",
      `/collections/${ROUND}/import`,
    ]) {
      const response = await page.goto(`${url}${path}`);
      expect(response?.status(), path).toBe(200);
      if (WIDE_TABLES.includes(path)) await expectTableScrollsSideways(page);
      await check(page);
    }
    if (postgresFor("the planted English email on the English outbox")) {
      await page.goto(`${url}/outbox`);
      await expect(page.locator("span[lang='en']", { hasText: "Planted Council has submitted" }).count()).resolves.toBe(1);
    }
    // A set-password link that is no longer good answers with a page of its own.
    const expired = await page.goto(`${url}/set-password/no-longer-good`);
    expect(expired?.status()).toBe(404);
    await check(page);
    // Error states.
    await page.goto(`${url}/collections/new`);
    await page.getByRole("button", { name: "Creu fel drafft" }).click();
    await page.waitForLoadState();
    await expect(page.title()).resolves.toMatch(/^Gwall: /);
    await check(page);
    await page.goto(`${url}/catalogue/new`);
    await page.getByRole("button", { name: "Ychwanegu'r eitem" }).click();
    await page.waitForLoadState();
    await check(page);
    await page.close();
  });

  it("lets an analyst reach the round's wide tables by keyboard at 1280 px", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await signInAs(page, running.portal.url, "analyst@gov-wales.example");
    for (const path of WIDE_TABLES) {
      await page.goto(`${running.portal.url}${path}`);
      await expectTableScrollsSideways(page);
      await expectNoAxeViolations(page);
    }
    await page.close();
  });

  it("fits a 320 pixel screen without sideways scrolling of the page", async () => {
    const context = await running.browser.newContext({ viewport: { width: 320, height: 700 } });
    const page = await context.newPage();
    await signInAs(page, running.portal.url, "officer.newport@authorities.example");
    for (const path of ["/", `/returns/${ROUND}/W06000022`, `/collections/${FEB}`, "/accessibility"]) {
      await page.goto(`${running.portal.url}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: "test-results/return-form-320px.png", fullPage: false });
    await context.close();
  });
});
