import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  chromiumMissing,
  expectNoAxeViolations as checkAxe,
  signInAs,
  usePortalInChromium,
  watchForPageErrors,
  type RunningPortal,
} from "../support/portal.ts";

const ROUND = "2026-12-care-experienced-parents";

/** Fills one item by its visible labels, as a person would: a number straight in its box, or why there is none. */
async function answer(page: Page, itemCode: string, choice: "A number" | "Not collected" | "Unknown", text: string) {
  const item = page.locator(`#item-${itemCode}`);
  if (choice === "A number") {
    await item.getByLabel("Number", { exact: true }).fill(text);
    return;
  }
  await item.getByLabel("I cannot give a number", { exact: true }).check();
  await item.getByLabel(choice, { exact: true }).check();
  await item.getByLabel("Reason", { exact: true }).fill(text);
}

async function fillRequired(page: Page, leavers: string) {
  await answer(page, "care_leavers_21_25", "A number", leavers);
  await answer(page, "care_experienced_parents", "A number", "12");
  await answer(
    page,
    "care_experienced_parents_child_removed",
    "Not collected",
    "We do not link parents' care records to their children's.",
  );
}

async function journey(
  page: Page,
  portal: RunningPortal,
  email: string,
  authority: string,
  { withQuery, javaScript }: { withQuery: boolean; javaScript: boolean },
) {
  // axe runs as a script in the page, so only where scripts run; the markup is the same either way.
  const expectNoAxeViolations = (p: Page) => (javaScript ? checkAxe(p) : Promise.resolve());
  await page.goto(`${portal.url}/`);
  await expectNoAxeViolations(page); // the sign-in page
  await signInAs(page, portal.url, email);
  await expect(page.title()).resolves.toBe("Your returns – Care experience data returns");
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "Care-experienced young people who are parents (December 2026)" }).click();
  await page.waitForURL(new RegExp(`/returns/${ROUND}/${authority}$`));
  await expectNoAxeViolations(page);
  // Items numbered, a count answered, the reference date said once (in the lead, not the guidance too).
  await expect(page.locator("#answered").textContent()).resolves.toBe("0 of 9 answered");
  await expect(page.locator("#item-care_leavers_21_25 h2").textContent()).resolves.toBe(
    "1. Care leavers aged 21 to 25 known to the authority",
  );
  await expect(page.locator("main").textContent()).resolves.toMatch(
    /^(?:(?!as at 31 October 2026)[\s\S])*as at 31 October 2026(?:(?!as at 31 October 2026)[\s\S])*$/,
  );
  if (withQuery) {
    // The last-round hint gives the round's date and its value for this item, not the round's title.
    await expect(page.locator("#care_leavers_21_25-hint").textContent()).resolves.toContain("Last round (31 December 2022): 271");
  }

  // An error: the summary at the top links to the field, the message sits beside it, the title says so.
  await fillRequired(page, "12.5");
  await page.getByRole("button", { name: "Save as draft", exact: true }).click();
  await page.waitForLoadState();
  await expect(page.title()).resolves.toMatch(/^Error: /);
  const summary = page.locator(".govuk-error-summary");
  await expect(summary.textContent()).resolves.toContain(
    "Care leavers aged 21 to 25 known to the authority: enter a whole number, like 12",
  );
  await expect(summary.locator("a").first().getAttribute("href")).resolves.toBe("#care_leavers_21_25-number");
  await expect(page.locator("#care_leavers_21_25-number-error").textContent()).resolves.toContain("enter a whole number");
  await expect(page.locator("#care_leavers_21_25-number").inputValue()).resolves.toBe("12.5");
  await expectNoAxeViolations(page);

  // Fixed. The other answers were kept as typed.
  await page.locator("#care_leavers_21_25-number").fill(withQuery ? "40" : "95");
  await page.getByRole("button", { name: "Save as draft", exact: true }).click();
  await page.waitForLoadState();
  await expect(page.locator(".govuk-notification-banner--success").textContent()).resolves.toContain("Your answers have been saved.");

  if (withQuery) {
    // 271 last round, 40 now: a query beside the value, to be explained before submitting.
    const item = page.locator("#item-care_leavers_21_25");
    await expect(item.locator(".govuk-warning-text").textContent()).resolves.toContain("This is a change from 271 last round to 40");
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Save and check your answers" }).click();
    await page.waitForLoadState();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain("explain the figure flagged for checking");
    // The check page lists it too, and its title says there is a problem, as every page with an error summary does.
    await page.goto(`${portal.url}/returns/${ROUND}/${authority}/check`);
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain("explain the figure flagged for checking");
    await expect(page.title()).resolves.toBe("Error: Check your answers before submitting your return – Care experience data returns");
    await page.goto(`${portal.url}/returns/${ROUND}/${authority}`);
    await item.getByLabel("Explain this figure").fill("A data cleanse removed 231 duplicate records.");
  }

  await page.getByRole("button", { name: "Save and check your answers" }).click();
  await page.waitForURL(/\/check$/);
  await expect(page.title()).resolves.toBe("Check your answers before submitting your return – Care experience data returns");
  await expect(page.locator("#answer-care_leavers_21_25").textContent()).resolves.toContain(withQuery ? "40" : "95");
  await expectNoAxeViolations(page);
  await page.getByLabel("Their role").fill("Head of Children's Services");
  await page.getByRole("button", { name: "Submit return" }).click();
  await page.waitForURL(/\/submitted\?version=1$/);
  await expect(page.locator(".govuk-panel").textContent()).resolves.toContain(`${authority}-${ROUND.toUpperCase()}-V1`);
  await expectNoAxeViolations(page);

  // Amend: a reason, a new draft, version 2, both versions readable with what changed.
  await page.getByRole("link", { name: "View your return" }).click();
  await page.getByRole("link", { name: "Amend this return" }).click();
  await page.getByRole("button", { name: "Reopen the return" }).click();
  await page.waitForLoadState();
  await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain("Enter why you are amending this return");
  await expectNoAxeViolations(page);
  await page.getByLabel("Why are you amending this return?").fill("A late case was found.");
  await page.getByRole("button", { name: "Reopen the return" }).click();
  await page.waitForURL(new RegExp(`/returns/${ROUND}/${authority}$`));
  await expect(page.locator("#amending").textContent()).resolves.toMatch(/^Amending version 1 \(submitted \d+ \w+ 2026/);
  await page.locator("#care_experienced_parents-number").fill("13");
  await page.getByRole("button", { name: "Save and check your answers" }).click();
  await page.waitForURL(/\/check$/);
  // The check page shows what the amendment changes, and the last sign-off is filled in again.
  const amendmentChanges = page.locator("table", { hasText: "What this amendment changes from version 1" });
  await expect(amendmentChanges.textContent()).resolves.toMatch(/Care-experienced young people who are parents.*12.*13/);
  await expect(page.getByLabel("Their role").inputValue()).resolves.toBe("Head of Children's Services");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Submit return" }).click();
  await page.waitForURL(/\/submitted\?version=2$/);
  await page.getByRole("link", { name: "View your return" }).click();
  await page.getByRole("link", { name: "See earlier versions" }).click();
  const changes = page.locator("table", { hasText: "What changed since version 1" });
  await expect(changes.textContent()).resolves.toMatch(/Care-experienced young people who are parents.*12.*13/);
  await expectNoAxeViolations(page);
}

describe.skipIf(chromiumMissing)("an officer's return, in a browser", { timeout: 180_000 }, () => {
  const running = usePortalInChromium();

  it("with JavaScript: Newport fills in, meets an error, fixes it, explains a query, submits and amends", async () => {
    const page = await running.browser.newPage();
    const errors = watchForPageErrors(page);
    await journey(page, running.portal, "officer.newport@authorities.example", "W06000022", { withQuery: true, javaScript: true });
    // The 400 responses of refused forms are expected; nothing else may go wrong in the page.
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await page.close();
  });

  it("without JavaScript: Cardiff, which did not reply in February 2023, answers now", async () => {
    const context = await running.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await journey(page, running.portal, "officer.cardiff@authorities.example", "W06000015", { withQuery: false, javaScript: false });
    await context.close();
  });

  it("gives another authority's officer the 404 page for Cardiff's return", async () => {
    const page = await running.browser.newPage();
    await signInAs(page, running.portal.url, "officer.conwy@authorities.example");
    const response = await page.goto(`${running.portal.url}/returns/${ROUND}/W06000015`);
    expect(response?.status()).toBe(404);
    await expect(page.locator("h1").textContent()).resolves.toBe("Page not found");
    await page.close();
  });
});
