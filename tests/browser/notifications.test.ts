/**
 * Notifications in a browser, in Welsh: an accepted return listed on the
 * officer's home page and leading to the return; the officer choosing a daily digest for it; and
 * the same officer turning off the second factor they had set up. Axe on each page.
 */
import { describe, expect, it } from "vitest";
import { getCollection } from "#app/models/collection.server.ts";
import { findReturn } from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";
import { DEMO_TOTP_SECRET, freshCode, giveSecondFactor } from "../support/two-factor.ts";

const ROUND = "2026-12-care-experienced-parents";
const CARDIFF = "W06000015";
const OFFICER = "officer.cardiff@authorities.example";

describe.skipIf(chromiumMissing || (!process.env.TEST_DATABASE_URL && !process.env.CI))(
  "notifications in a browser",
  { timeout: 600_000 },
  () => {
    const running = usePortalInChromium();

    it("lists an accepted return on a Welsh-speaking officer's home page, lets them choose a daily digest for it, and turn off their second factor; axe clean", async () => {
      const db = running.portal.database.db;
      const url = running.portal.url;
      const user = (name: string) => db.selectFrom("app_user").select("id").where("email", "=", name).executeTakeFirstOrThrow();
      const officer = await user(OFFICER);
      const coordinator = await db.selectFrom("app_user").select("id").where("role", "=", "coordinator").executeTakeFirstOrThrow();
      await db.updateTable("app_user").set({ language: "cy" }).where("id", "=", officer.id).execute();
      await giveSecondFactor(db, officer.id);

      const officerActor = { userId: officer.id, role: "officer" as const, authorityCode: CARDIFF };
      await submitAs(
        db,
        ROUND,
        CARDIFF,
        {
          care_leavers_21_25: { state: "reported", number: "95" },
          care_experienced_parents: { state: "reported", number: "12" },
          care_experienced_parents_child_removed: { state: "reported", number: "3" },
        },
        officerActor,
      );
      const scope = { collection: (await getCollection(db, ROUND))!, authorityCode: CARDIFF };
      const submitted = (await findReturn(db, scope))!;
      const coordinatorActor = { userId: coordinator.id, role: "coordinator" as const, authorityCode: null };
      expect(await acceptReturn(db, scope, { basedOn: submitted.lock_version, actor: coordinatorActor })).toEqual({ ok: true });

      const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signInAs(page, url, OFFICER);

      // Home: the notification, in Welsh, leading to the return.
      const list = page.getByTestId("notifications");
      await list.waitFor();
      await expect(page.locator("#notifications-title").textContent()).resolves.toBe("Eich hysbysiadau");
      await expect(list.locator("a").first().getAttribute("href")).resolves.toBe(`/returns/${ROUND}/${CARDIFF}`);
      await expectNoAxeViolations(page);
      await list.locator("a").first().click();
      await page.waitForURL(`${url}/returns/${ROUND}/${CARDIFF}`);
      await page.locator("main h1").waitFor();

      // Settings: a daily digest for accepted returns, saved and shown as saved.
      await page.goto(`${url}/`);
      await page.getByRole("link", { name: "Dewiswch sut rydych chi'n clywed am y rhain" }).click();
      await page.locator("#return_accepted-digest").waitFor();
      await expect(page.locator("h1").textContent()).resolves.toBe("Gosodiadau hysbysiadau");
      await expect(page.locator("#return_accepted-email").isChecked()).resolves.toBe(true);
      await expectNoAxeViolations(page);
      await page.locator("#return_accepted-digest").check();
      await page.locator("form button[type=submit]").last().click();
      await page.locator(".govuk-notification-banner--success").waitFor();
      await expect(page.locator(".govuk-notification-banner--success").textContent()).resolves.toContain(
        "Mae eich gosodiadau hysbysiadau wedi'u cadw.",
      );
      await expect(page.locator("#return_accepted-digest").isChecked()).resolves.toBe(true);
      await expectNoAxeViolations(page);
      const preference = await db
        .selectFrom("notification_preference")
        .selectAll()
        .where("user_id", "=", officer.id)
        .where("kind", "=", "return_accepted")
        .executeTakeFirstOrThrow();
      expect(preference).toMatchObject({ delivery: "digest" });

      // Two-factor authentication turned off with a current code.
      await page.goto(`${url}/account/two-factor`);
      await page.getByRole("heading", { name: "Diffodd dilysu dau gam" }).waitFor();
      await expectNoAxeViolations(page);
      await page.locator("#code").fill(await freshCode(DEMO_TOTP_SECRET, `${url} ${OFFICER}`));
      await page.getByRole("button", { name: "Diffodd dilysu dau gam" }).click();
      await page.getByText("Mae dilysu dau gam wedi'i ddiffodd.").waitFor();
      await expectNoAxeViolations(page);
      // The page it comes back to offers a new set-up again (a pending key, not confirmed): no confirmed factor is left.
      const confirmed = db
        .selectFrom("two_factor")
        .select("user_id")
        .where("user_id", "=", officer.id)
        .where("confirmed_at", "is not", null);
      await expect(confirmed.execute()).resolves.toEqual([]);
      await context.close();
    });
  },
);
