import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createCollection } from "#app/models/collection.server.ts";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";

const OPEN_ROUND = "2026-12-care-experienced-parents";
const SHOTS = process.env.DESIGN_SHOTS ?? "";

/** The page's width at 320 px: what would scroll sideways if more than 320. */
async function widthAt320(page: Page, name: string) {
  await page.setViewportSize({ width: 320, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-320.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-1280.png`, fullPage: true });
  return width;
}

const draft = (code: string) => ({
  code,
  title_en: `Draft ${code}`,
  title_cy: `Drafft ${code}`,
  guidance_en: "",
  guidance_cy: "",
  reference_date: "2027-05-31",
  opens_on: "2027-06-01",
  due_on: "2027-06-30",
  items: [{ code: "care_leavers_21_25", required: true }],
  rules: { crossItem: [], smallCountMax: 4, queries: { changePercent: 50, changeAbsolute: 10, outlierScore: 3.5, outlierMinPeers: 5 } },
});

const NEW_ROUND = "2027-09-care-leavers";

async function fillDate(page: Page, field: string, [day = "", month = "", year = ""]: string[]) {
  await page.locator(`#${field}-day`).fill(day);
  await page.locator(`#${field}-month`).fill(month);
  await page.locator(`#${field}-year`).fill(year);
}

/** The header's language buttons change the signed-in person's language. */
async function switchLanguage(page: Page, button: string, lang: string) {
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
}

async function heading(page: Page, text: string) {
  await page.locator("h1", { hasText: text }).waitFor();
}

// The drafts are put in place through the collection model, on the server's PostgreSQL database.
const cannotRun = chromiumMissing || databaseBesideMissing("the round's design in Chromium");
describe.skipIf(cannotRun)("the round's design and lifecycle in the browser", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("publish, close and reopen each confirm what will happen; a round is designed with date boxes, chosen rules and outlier thresholds; in English and Welsh, axe clean, no sideways scroll at 320 px", async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const db = running.portal.database.db;
    const coordinator = await db.selectFrom("app_user").select("id").where("role", "=", "coordinator").executeTakeFirstOrThrow();
    for (const code of ["2027-06-lifecycle-en", "2027-06-lifecycle-cy"]) await createCollection(db, draft(code), coordinator.id);
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = running.portal.url;
    const widths: Record<string, number> = {};
    await signInAs(page, url, "coordinator@adss-cymru.example");

    // Publishing a draft: the design page shows when it opens, the button leads to a confirmation.
    await page.goto(`${url}/collections/2027-06-lifecycle-en/design`);
    await expect(page.locator(".govuk-summary-list").first().textContent()).resolves.toContain("Opens1 June 2027");
    await page.getByRole("button", { name: "Publish: authorities can fill it in" }).click();
    await heading(page, "Publish this information request");
    const publishText = await page.locator("main").textContent();
    expect(publishText).toContain("officers of the 22 authorities can fill it in from 1 June 2027");
    expect(publishText).toContain("nobody is emailed now");
    await expectNoAxeViolations(page);
    widths.publish = await widthAt320(page, "publish-en");
    await page.getByRole("button", { name: "Publish it" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Published: authorities can now fill it in." }).waitFor();

    // Closing the open round says how many have not submitted.
    await page.goto(`${url}/collections/${OPEN_ROUND}/design`);
    await page.getByRole("button", { name: "Close it" }).click();
    await heading(page, "Close this information request");
    await expect(page.locator("main").textContent()).resolves.toMatch(/of 22 authorities have submitted/);
    await expectNoAxeViolations(page);
    widths.close = await widthAt320(page, "close-en");
    await page.getByRole("button", { name: "Close it" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Closed: no more answers" }).waitFor();

    // Reopening needs a reason.
    await page.getByRole("button", { name: "Reopen it" }).click();
    await heading(page, "Reopen this information request");
    await page.getByRole("button", { name: "Reopen it" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary a").textContent()).resolves.toBe("Enter why you are reopening it");
    await expect(page.title()).resolves.toMatch(/^Error:/);
    await expectNoAxeViolations(page);
    widths.reopen = await widthAt320(page, "reopen-error-en");
    await page.getByLabel("Why are you reopening it?").fill("Powys asked to correct a figure after the round closed.");
    await page.getByRole("button", { name: "Reopen it" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Reopened: authorities can fill it in again." }).waitFor();
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "reason"])
      .where("action", "=", "collection.reopen")
      .executeTakeFirstOrThrow();
    expect(audit.reason).toBe("Powys asked to correct a figure after the round closed.");

    // The round's own page shows when it opened.
    await page.goto(`${url}/collections/${OPEN_ROUND}`);
    await expect(page.locator(".govuk-summary-list").first().textContent()).resolves.toMatch(/Opens\d+ \w+ 2026/);

    // The same in Welsh.
    await page.goto(`${url}/collections/2027-06-lifecycle-cy/design`);
    await switchLanguage(page, "Cymraeg", "cy");
    await expect(page.locator(".govuk-summary-list").first().textContent()).resolves.toContain("Yn agor1 Mehefin 2027");
    await page.getByRole("button", { name: "Cyhoeddi: gall awdurdodau ei lenwi" }).click();
    await heading(page, "Cyhoeddi'r cais hwn am wybodaeth");
    await expect(page.locator("main").textContent()).resolves.toContain("gall swyddogion y 22 awdurdod ei lenwi o 1 Mehefin 2027");
    await expectNoAxeViolations(page);
    widths.publishCy = await widthAt320(page, "publish-cy");
    await page.getByRole("button", { name: "Ei gyhoeddi" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Wedi'i gyhoeddi" }).waitFor();
    await page.goto(`${url}/collections/${OPEN_ROUND}/status`);
    await heading(page, "Cau'r cais hwn am wybodaeth");
    await expectNoAxeViolations(page);
    widths.closeCy = await widthAt320(page, "close-cy");
    await page.getByRole("button", { name: "Ei gau" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Ar gau" }).waitFor();
    await page.getByRole("button", { name: "Ei ailagor" }).click();
    await heading(page, "Ailagor y cais hwn am wybodaeth");
    await page.getByRole("button", { name: "Ei ailagor" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary a").textContent()).resolves.toBe("Rhowch pam rydych chi'n ei ailagor");
    await expectNoAxeViolations(page);
    widths.reopenCy = await widthAt320(page, "reopen-error-cy");

    // Designing a round in English: dates in three boxes, a rule built by choosing items, outlier thresholds.
    await page.goto(`${url}/collections/new`);
    await switchLanguage(page, "English", "en");
    await heading(page, "Create an information request");
    await page.getByLabel("Short code, used in web addresses").fill(NEW_ROUND);
    await page.getByLabel("Title in Welsh").fill("Pobl sy'n gadael gofal (Medi 2027)");
    await fillDate(page, "reference_date", ["31", "8", "2027"]);
    await fillDate(page, "opens_on", ["1", "9", "2027"]);
    await fillDate(page, "due_on", ["30", "9"]);
    for (const [position, item] of ["care_experienced_parents", "care_experienced_mothers", "care_experienced_fathers"].entries()) {
      await page.locator(`#item-${item}`).check();
      await page.locator(`#position-${item}`).fill(String(position + 1));
    }
    await page.locator("#rule-0-item").selectOption({ label: "Care-experienced young people who are parents" });
    await page.locator("#rule-0-kind-sum_equals").check();
    await page
      .locator("#rule-0-conditional-sum_equals")
      .getByLabel("Care-experienced young people who are mothers", { exact: true })
      .check();
    // Another rule, without JavaScript's help: the form comes back with what was entered and a second row.
    await page.getByRole("button", { name: "Add another rule" }).click();
    await page.locator("#rule-1-item").waitFor();
    await expect(page.locator("#rule-0-item").inputValue()).resolves.toBe("care_experienced_parents");
    await expect(page.locator("#rule-0-kind-sum_equals").isChecked()).resolves.toBe(true);
    await expect(page.getByLabel("Title in Welsh").inputValue()).resolves.toBe("Pobl sy'n gadael gofal (Medi 2027)");
    await expect(page.locator(".govuk-error-summary").count()).resolves.toBe(0);
    await page.locator("#rule-1-item").selectOption({ label: "Care-experienced young people who are fathers" });
    await page.locator("#rule-1-kind-not_greater_than").check();
    await page.locator("#rule-1-limit").selectOption({ label: "Care-experienced young people who are parents" });
    await expectNoAxeViolations(page);
    await page.locator("#outlierScore").fill("4");
    await page.locator("#smallCountMax").fill("3");
    await page.getByRole("button", { name: "Create as a draft" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    const summary = await page.locator(".govuk-error-summary li").allTextContents();
    expect(summary).toEqual([
      "Enter the title in English",
      "The due date must include a day, a month and a year",
      "Rule 1: choose at least two items that add up to it",
    ]);
    await expectNoAxeViolations(page);
    // Each error links to its own control.
    await page.getByRole("link", { name: "Rule 1: choose at least two items that add up to it" }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("rule-0-parts");
    await page.getByRole("link", { name: "The due date must include a day, a month and a year" }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("due_on-day");
    await page.getByLabel("Title in English").fill("Care leavers (September 2027)");
    await fillDate(page, "due_on", ["30", "9", "2027"]);
    await page
      .locator("#rule-0-conditional-sum_equals")
      .getByLabel("Care-experienced young people who are fathers", { exact: true })
      .check();
    await page.getByRole("button", { name: "Create as a draft" }).click();
    await page.locator("h1", { hasText: "Care leavers (September 2027)" }).waitFor();
    // The saved dates and rule come back as they were chosen; the items in their order, by name.
    await expect(page.locator("#due_on-day").inputValue()).resolves.toBe("30");
    await expect(page.locator("#due_on-month").inputValue()).resolves.toBe("9");
    await expect(page.locator("#due_on-year").inputValue()).resolves.toBe("2027");
    await expect(page.locator("#rule-0-item").inputValue()).resolves.toBe("care_experienced_parents");
    await expect(page.locator("#rule-0-kind-sum_equals").isChecked()).resolves.toBe(true);
    await expect(page.locator("#outlierScore").inputValue()).resolves.toBe("4");
    await expect(page.locator("#smallCountMax").inputValue()).resolves.toBe("3");
    await expect(page.locator("#rule-1-limit").inputValue()).resolves.toBe("care_experienced_parents");
    const listed = await page.locator(".app-design-item > .govuk-checkboxes .govuk-checkboxes__label").allTextContents();
    expect(listed.slice(0, 3).map((l) => l.trim())).toEqual([
      "Care-experienced young people who are parents",
      "Care-experienced young people who are mothers",
      "Care-experienced young people who are fathers",
    ]);
    await expectNoAxeViolations(page);
    widths.design = await widthAt320(page, "design-en");
    const saved = await db.selectFrom("collection").select("rules").where("code", "=", NEW_ROUND).executeTakeFirstOrThrow();
    expect(saved.rules).toMatchObject({
      crossItem: [
        { kind: "sum_equals", total: "care_experienced_parents", parts: ["care_experienced_mothers", "care_experienced_fathers"] },
        { kind: "not_greater_than", item: "care_experienced_fathers", limit: "care_experienced_parents" },
      ],
      smallCountMax: 3,
      queries: { outlierScore: 4 },
    });

    // And in Welsh: an error names its field, and the page fits at 320 px.
    await switchLanguage(page, "Cymraeg", "cy");
    await heading(page, "Pobl sy'n gadael gofal (Medi 2027)");
    await page.locator("#opens_on-month").fill("13");
    // Two items at one place in the order: each is refused, by name, at its own order box.
    await page.locator("#position-care_experienced_fathers").fill("2");
    await page.getByRole("button", { name: "Cadw'r newidiadau" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    const labelCy = async (code: string) =>
      (await db.selectFrom("data_item").select("label_cy").where("code", "=", code).executeTakeFirstOrThrow()).label_cy;
    const shared = "mae gan eitem arall yr un rhif; rhowch ei rhif ei hun i bob eitem yn y drefn";
    await expect(page.locator(".govuk-error-summary li").allTextContents()).resolves.toEqual([
      "Rhaid i'r dyddiad y mae'n agor fod yn ddyddiad go iawn, fel 1 1 2027",
      `Trefn ${await labelCy("care_experienced_fathers")}: ${shared}`,
      `Trefn ${await labelCy("care_experienced_mothers")}: ${shared}`,
    ]);
    await expectNoAxeViolations(page);
    widths.designCy = await widthAt320(page, "design-error-cy");
    await page.getByRole("link", { name: `Trefn ${await labelCy("care_experienced_fathers")}: ${shared}` }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("position-care_experienced_fathers");
    await expect(page.locator("#position-care_experienced_mothers-error").textContent()).resolves.toContain(shared);
    expect(
      (await db.selectFrom("collection").select("rules").where("code", "=", NEW_ROUND).executeTakeFirstOrThrow()).rules,
      "nothing saved",
    ).toEqual(saved.rules);
    // Saving the design again keeps the largest confidential count it had.
    await page.locator("#position-care_experienced_fathers").fill("3");
    await page.locator("#opens_on-month").fill("9");
    await page.getByRole("button", { name: "Cadw'r newidiadau" }).click();
    await page.locator(".govuk-notification-banner--success").waitFor();
    await expect(page.locator("#smallCountMax").inputValue()).resolves.toBe("3");
    const resaved = await db.selectFrom("collection").select("rules").where("code", "=", NEW_ROUND).executeTakeFirstOrThrow();
    expect(resaved.rules).toMatchObject({ smallCountMax: 3 });

    console.log(`Widths at 320 px: ${JSON.stringify(widths)}`);
    for (const [name, width] of Object.entries(widths)) expect(width, name).toBeLessThanOrEqual(320);
    await page.close();
  });
});
