/**
 * Notifications in a browser, in Welsh: an accepted return listed on the
 * officer's home page and leading to the return; the officer choosing a daily digest for it; and
 * the same officer turning off the second factor they had set up. A reminder on a Welsh-speaking
 * officer's home page and in their email in Welsh, and on an English-speaking one's in English;
 * reminders shown as always emailed. Axe on each page.
 */
import { describe, expect, it } from "vitest";
import { getCollection } from "#app/models/collection.server.ts";
import { findReturn } from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { composeReminders } from "#app/models/notification.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";
import { DEMO_TOTP_SECRET, freshCode, giveSecondFactor } from "../support/two-factor.ts";
import { DECEMBER_2026 as ROUND } from "#seeds/demo.ts";
import { CARDIFF, CONWY, NEWPORT } from "../support/authorities.ts";

const OFFICER = "officer.cardiff@authorities.example";
const WELSH_OFFICER = "officer.conwy@authorities.example";
const ENGLISH_OFFICER = "officer.newport@authorities.example";

const cannotRun = chromiumMissing || databaseBesideMissing("the notification journeys in Chromium");
describe.skipIf(cannotRun)("notifications in a browser", { timeout: 600_000 }, () => {
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
    const confirmed = db.selectFrom("two_factor").select("user_id").where("user_id", "=", officer.id).where("confirmed_at", "is not", null);
    await expect(confirmed.execute()).resolves.toEqual([]);
    await context.close();
  });

  it("lists a reminder on a Welsh-speaking officer's home page and emails it in Welsh, and in English to an English-speaking one; axe clean", async () => {
    const db = running.portal.database.db;
    const url = running.portal.url;
    await db.updateTable("app_user").set({ language: "cy" }).where("email", "=", WELSH_OFFICER).execute();
    // The round is due in three days, and neither authority has submitted.
    const now = new Date();
    const inDays = (days: number) => todayInWales(new Date(now.getTime() + days * 86_400_000));
    await db
      .updateTable("collection")
      .set({ opens_on: inDays(-10), due_on: inDays(3) })
      .where("code", "=", ROUND)
      .execute();
    await composeReminders(db, { now, baseUrl: url });

    const cases = [
      {
        email: WELSH_OFFICER,
        authority: CONWY,
        language: "cy",
        sentence:
          /^Nodyn atgoffa: mae eich ffurflen ar gyfer Pobl ifanc â phrofiad o ofal sy'n rhieni \(Rhagfyr 2026\) i'w chyflwyno erbyn /,
        greeting: "Annwyl ",
        link: "Agor eich ffurflen: ",
        title: "Eich hysbysiadau",
        settings: "Dewiswch sut rydych chi'n clywed am y rhain",
        alwaysEmailed: [
          "Nodyn atgoffa bod ffurflen eich awdurdod i'w chyflwyno cyn bo hir",
          "Nodyn atgoffa bod ffurflen eich awdurdod yn hwyr",
        ],
      },
      {
        email: ENGLISH_OFFICER,
        authority: NEWPORT,
        language: "en",
        sentence: /^Reminder: your return for Care-experienced young people who are parents \(December 2026\) is due by /,
        greeting: "Dear ",
        link: "Open your return: ",
        title: "Your notifications",
        settings: "Choose how you hear about these",
        alwaysEmailed: ["A reminder that your authority's return is due soon", "A reminder that your authority's return is overdue"],
      },
    ] as const;
    for (const officer of cases) {
      const returnPath = `/returns/${ROUND}/${officer.authority}`;
      // The email, in the officer's language only, with the link to their return.
      const email = await db
        .selectFrom("outbox")
        .select(["subject", "body", "language"])
        .where("to_email", "=", officer.email)
        .where("kind", "=", "reminder_due")
        .executeTakeFirstOrThrow();
      expect(email.language).toBe(officer.language);
      expect(email.subject).toMatch(officer.sentence);
      expect(email.body.startsWith(officer.greeting)).toBe(true);
      expect(email.body).toContain(`${officer.link}${url}${returnPath}`);
      expect(email.body).not.toContain(officer.language === "cy" ? "Dear " : "Annwyl ");

      const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signInAs(page, url, officer.email);
      const list = page.getByTestId("notifications");
      await list.waitFor();
      await expect(page.locator("#notifications-title").textContent()).resolves.toBe(officer.title);
      const reminder = list.locator("a").first();
      await expect(reminder.textContent()).resolves.toMatch(officer.sentence);
      await expect(reminder.getAttribute("href")).resolves.toBe(returnPath);
      await expectNoAxeViolations(page);
      await reminder.click();
      await page.waitForURL(`${url}${returnPath}`);
      await page.locator("main h1").waitFor();

      // The settings page shows reminders as always emailed, with no choice to make about them.
      await page.goto(`${url}/`);
      await page.getByRole("link", { name: officer.settings }).click();
      await page.getByTestId("always-emailed").waitFor();
      await expect(page.getByTestId("always-emailed").locator("li").allTextContents()).resolves.toEqual([
        ...officer.alwaysEmailed,
        expect.any(String),
      ]);
      await expect(page.locator("input[name^=reminder_]").count()).resolves.toBe(0);
      await expectNoAxeViolations(page);
      await context.close();
    }
  });
});
