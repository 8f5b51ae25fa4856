import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";

const CODE = "2027-03-care-leavers";

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login$/);
}

describe.skipIf(chromiumMissing)("a whole round in the browser", { timeout: 180_000 }, () => {
  const running = usePortalInChromium();

  it("the coordinator publishes, an officer submits, the coordinator queries, the officer amends, the coordinator accepts and publishes the statistics", async () => {
    const page = await running.browser.newPage();
    const url = running.portal.url;

    // The coordinator designs and publishes a collection.
    await signInAs(page, url, "coordinator@adss-cymru.example");
    await page.getByRole("link", { name: "Create an information request" }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel("Short code, used in web addresses").fill(CODE);
    await page.getByLabel("Title in English").fill("Care leavers (March 2027)");
    await page.getByLabel("Title in Welsh").fill("Pobl sy'n gadael gofal (Mawrth 2027)");
    for (const [field, [day, month, year]] of [
      ["reference_date", ["28", "2", "2027"]],
      // Opened already: officers can answer a round only from its opening date.
      ["opens_on", ["1", "11", "2026"]],
      ["due_on", ["31", "3", "2027"]],
    ] as const) {
      await page.locator(`#${field}-day`).fill(day);
      await page.locator(`#${field}-month`).fill(month);
      await page.locator(`#${field}-year`).fill(year);
    }
    await page.locator("#item-care_leavers_21_25").check();
    await page.locator("#item-care_experienced_parents").check();
    await page.getByRole("button", { name: "Create as a draft" }).click();
    await page.waitForURL(new RegExp(`/collections/${CODE}/design$`));
    await page.getByRole("link", { name: "Preview it as an officer will see it" }).click();
    // Numbered in the round's order.
    await expect(page.locator("#item-care_leavers_21_25 h2").textContent()).resolves.toMatch(
      /^\d+\. Care leavers aged 21 to 25 known to the authority$/,
    );
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Back to the design" }).click();
    await page.getByRole("button", { name: "Publish: authorities can fill it in" }).click();
    await page.locator("h1", { hasText: "Publish this information request" }).waitFor();
    await page.getByRole("button", { name: "Publish it" }).click();
    await page.waitForURL(/saved=publish$/);
    await page.locator(".govuk-notification-banner", { hasText: "Published" }).waitFor();
    await expectNoAxeViolations(page);
    await signOut(page);

    // Swansea's officer submits.
    await signInAs(page, url, "officer.swansea@authorities.example");
    await page.getByRole("link", { name: "Care leavers (March 2027)", exact: true }).click();
    await page.locator("#care_leavers_21_25-number").fill("188");
    const parents = page.locator("#item-care_experienced_parents");
    await parents.getByLabel("I cannot give a number", { exact: true }).check();
    await parents.getByLabel("Unknown", { exact: true }).check();
    await parents.getByLabel("Reason", { exact: true }).fill("Our system does not link parents to their children yet.");
    await page.getByRole("button", { name: "Save and check your answers" }).click();
    await page.waitForURL(/\/check$/);
    await page.getByLabel("Their role").fill("Team manager");
    await page.getByRole("button", { name: "Submit return" }).click();
    await page.waitForURL(/\/submitted\?version=1$/);
    await signOut(page);

    // The coordinator sees it on the board and queries a value.
    await signInAs(page, url, "coordinator@adss-cymru.example");
    await page.goto(`${url}/collections/${CODE}/board`);
    await expect(page.locator(".app-board-counts").textContent()).resolves.toMatch(/1\s*Submitted/);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Swansea" }).click();
    await page.getByLabel("Which figure is the query about?").selectOption("care_leavers_21_25");
    await page
      .getByLabel("Your question")
      .fill("188 is below the 190 you gave for 2022. Does it include young people placed out of county?");
    await page.getByRole("button", { name: "Raise query" }).click();
    await page.waitForLoadState();
    await expect(page.locator("#queries-title").textContent()).resolves.toBe("Queries on this return");
    await expectNoAxeViolations(page);
    await signOut(page);

    // The officer sees the query at home, replies, amends and resubmits.
    await signInAs(page, url, "officer.swansea@authorities.example");
    await expect(page.locator(".govuk-notification-banner").textContent()).resolves.toContain("Queries from ADSS Cymru");
    await page.getByRole("link", { name: /Care leavers aged 21 to 25 known to the authority, in Care leavers \(March 2027\)/ }).click();
    await page.getByLabel("Your reply").fill("It did not: 4 placed out of county were missed. Amending to 192.");
    await page.getByRole("button", { name: "Send reply" }).click();
    await page.waitForLoadState();
    await page.getByRole("link", { name: "Amend this return" }).click();
    await page
      .getByLabel("Why are you amending this return?")
      .fill("Answer to the query: 4 young people placed out of county were missed.");
    await page.getByRole("button", { name: "Reopen the return" }).click();
    await page.waitForURL(new RegExp(`/returns/${CODE}/W06000011$`));
    await page.locator("#care_leavers_21_25-number").fill("192");
    await page.getByRole("button", { name: "Save and check your answers" }).click();
    await page.waitForURL(/\/check$/);
    await page.getByLabel("Their role").fill("Team manager");
    await page.getByRole("button", { name: "Submit return" }).click();
    await page.waitForURL(/\/submitted\?version=2$/);
    await signOut(page);

    // The coordinator resolves the query and accepts.
    await signInAs(page, url, "coordinator@adss-cymru.example");
    await page.goto(`${url}/returns/${CODE}/W06000011`);
    await expect(page.locator(".govuk-summary-list").first().textContent()).resolves.toContain("192");
    await page.getByRole("button", { name: "Resolve the query" }).click();
    await page.waitForLoadState();

    // Closed, its statistics cannot be published while Swansea's return waits to be accepted: the page names it.
    await page.goto(`${url}/collections/${CODE}/design`);
    await page.getByRole("button", { name: "Close it" }).click();
    await page.locator("h1", { hasText: "Close this information request" }).waitFor();
    await page.getByRole("button", { name: "Close it" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Closed: no more answers" }).waitFor();
    await page.goto(`${url}/collections/${CODE}/statistics`);
    await expect(page.locator("main").textContent()).resolves.toContain("only once every return submitted is accepted");
    await expect(page.locator("main").getByRole("link", { name: "Swansea" }).getAttribute("href")).resolves.toBe(
      `/returns/${CODE}/W06000011`,
    );
    await expect(page.getByRole("button", { name: "Publish statistics" }).count()).resolves.toBe(0);
    await expectNoAxeViolations(page);

    await page.goto(`${url}/returns/${CODE}/W06000011`);
    await page.getByRole("button", { name: "Accept return" }).click();
    await page.waitForURL(/accepted=1/);
    await expect(page.locator(".govuk-notification-banner--success").textContent()).resolves.toContain("The return has been accepted.");
    // Accepted, the statistics are published, and anyone can read Swansea's figure.
    await page.goto(`${url}/collections/${CODE}/statistics`);
    await page.getByRole("button", { name: "Publish statistics" }).click();
    await page.locator(".govuk-notification-banner--success", { hasText: "published" }).waitFor();
    await expect((await page.request.get(`${url}/statistics/${CODE}/statswales.csv`)).text()).resolves.toContain(
      "W06000011,authority,care_leavers_21_25,2027-02-28,192,",
    );
    await page.goto(`${url}/collections/${CODE}/board`);
    await expect(page.locator(".app-board-counts").textContent()).resolves.toMatch(/1\s*Accepted/);
    await expectNoAxeViolations(page);

    // The rest of the coordinator's desk passes axe too.
    for (const path of ["/outbox", "/admin/users", "/admin/users/new", "/catalogue", "/catalogue/new", `/collections/${CODE}/design`]) {
      const response = await page.goto(`${url}${path}`);
      expect(response?.status(), path).toBe(200);
      await expectNoAxeViolations(page);
    }
    await page.close();
  });
});
