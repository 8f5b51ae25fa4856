/**
 * A query that reaches the officer (issue 16): the coordinator raises it in the browser; the
 * officer, who reads in Welsh, gets a Welsh email in the outbox whose link opens the query, and
 * finds it on their home page.
 */
import { describe, expect, it } from "vitest";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const NEWPORT = "W06000022";
const OFFICER = "officer.newport@authorities.example";

const cannotRun = chromiumMissing || databaseBesideMissing("the query email journey in Chromium");
describe.skipIf(cannotRun)("a query reaches the officer by email and on their home page", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("emails a Welsh-speaking officer in Welsh, with a link to the query, and lists it on their home page", async () => {
    const { portal, browser } = running;
    const db = portal.database.db;
    await db.updateTable("app_user").set({ language: "cy" }).where("email", "=", OFFICER).execute();
    await submitAs(db, ROUND, NEWPORT, {
      care_leavers_21_25: { state: "reported", number: "100" },
      care_experienced_parents: { state: "reported", number: "9" },
      care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
    });
    const item = await db
      .selectFrom("data_item")
      .select(["label_en", "label_cy"])
      .where("code", "=", "care_leavers_21_25")
      .executeTakeFirstOrThrow();

    const coordinator = await browser.newPage();
    await signInAs(coordinator, portal.url, "coordinator@adss-cymru.example");
    await coordinator.goto(`${portal.url}/returns/${ROUND}/${NEWPORT}/queries/new`);
    await coordinator.locator("h1", { hasText: "Raise a query on a value" }).waitFor();
    await coordinator.getByLabel("Which figure is the query about?").selectOption({ label: item.label_en });
    await coordinator.getByLabel("Your question").fill("Is 100 right? Last round it was 271.");
    await coordinator.getByRole("button", { name: "Raise query" }).click();
    // The return's page, with the thread on it.
    await coordinator.locator('[id^="query-"].govuk-summary-card').first().waitFor();
    await coordinator.close();

    const email = await db
      .selectFrom("outbox")
      .select(["subject", "body"])
      .where("kind", "=", "query")
      .where("to_email", "=", OFFICER)
      .executeTakeFirstOrThrow();
    expect(email.subject).toMatch(/^Ymholiad am eich ffurflen ar gyfer /);
    expect(email.body).toContain(`Mae ADSS Cymru wedi codi ymholiad am “${item.label_cy}” yn ffurflen Casnewydd`);
    const publicUrl = portal.url.replace(/^http:/, "https:");
    const path = new RegExp(`Agor yr ymholiad: ${publicUrl.replace(/[.:/]/g, "\\$&")}(/returns/\\S+/queries/\\d+)`).exec(email.body)?.[1];
    expect(path, email.body).toBeDefined();

    const context = await browser.newContext();
    const officer = await context.newPage();
    await signInAs(officer, portal.url, OFFICER);
    await officer.locator("h1", { hasText: "Eich ffurflenni" }).waitFor();
    const banner = officer.locator(".govuk-notification-banner", { hasText: "Ymholiadau gan ADSS Cymru" });
    await expect(banner.textContent()).resolves.toContain(item.label_cy);
    await expectNoAxeViolations(officer);
    // The email's link: the query's own page (a link sent to a browser signed out asks to sign in first).
    const opened = await officer.goto(`${portal.url}${path}`);
    expect(opened!.status()).toBe(200);
    await expect(officer.locator("main").textContent()).resolves.toContain("Is 100 right? Last round it was 271.");
    await expectNoAxeViolations(officer);
    await context.close();
  });
});
