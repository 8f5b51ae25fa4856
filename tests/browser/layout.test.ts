import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { giveSecondFactor } from "../support/two-factor.ts";

const ACCOUNTS = {
  officer: "officer.cardiff@authorities.example",
  analyst: "analyst@gov-wales.example",
  // The demo coordinator is also the admin: the longest navigation.
  admin: "coordinator@adss-cymru.example",
  coordinator: "second.coordinator@adss-cymru.example",
};

/** The header's language buttons change the signed-in person's language. */
async function switchLanguage(page: Page, button: string, lang: string) {
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
}

/** Where the service's name and the language switch sit: both on the header's first row, the switch at its right. */
async function headerRow(page: Page) {
  const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
  const [name, languages, header] = await Promise.all([
    box(".govuk-service-navigation__service-name"),
    box(".govuk-language-navigation"),
    box(".govuk-service-navigation .govuk-width-container"),
  ]);
  return {
    sameRow: languages.y < name.y + name.height && name.y < languages.y + languages.height,
    atRight: Math.abs(languages.x + languages.width - (header.x + header.width)) <= 1,
  };
}

/**
 * Each tag beside text or another tag (inside `.app-with-tag`) and its neighbours: pairs closer
 * than 5 px, on the same line or one wrapped under the other, as "tag | neighbour: gap".
 */
async function tagsTouching(page: Page) {
  return page.locator(".app-with-tag").evaluateAll((groups) => {
    const close: string[] = [];
    for (const group of groups) {
      const children = [...group.children].map((child) => ({ text: child.textContent?.trim() ?? "", box: child.getBoundingClientRect() }));
      for (const [i, a] of children.entries()) {
        for (const b of children.slice(i + 1)) {
          const across = Math.max(b.box.left - a.box.right, a.box.left - b.box.right);
          const down = Math.max(b.box.top - a.box.bottom, a.box.top - b.box.bottom);
          const gap = Math.max(across, down);
          if (gap < 5) close.push(`${a.text} | ${b.text}: ${gap}`);
        }
      }
    }
    return close;
  });
}

const cannotRun = chromiumMissing || databaseBesideMissing("the layout tests");
describe.skipIf(cannotRun)("the layout holds steady", { timeout: 600_000 }, () => {
  const running = usePortalInChromium();

  it("the language switch stays on the header's row at 1280 px for the officer, analyst, coordinator and admin, in English and Welsh; tags keep their distance from the text beside them", async () => {
    const db = running.portal.database.db;
    const admin = await db.selectFrom("app_user").select("password_hash").where("email", "=", ACCOUNTS.admin).executeTakeFirstOrThrow();
    const coordinator = await db
      .insertInto("app_user")
      .values({ email: ACCOUNTS.coordinator, name: "Second Coordinator", role: "coordinator", password_hash: admin.password_hash })
      .returning("id")
      .executeTakeFirstOrThrow();
    await giveSecondFactor(db, coordinator.id);
    const url = running.portal.url;
    const touching: Record<string, string[]> = {};
    for (const [role, email] of Object.entries(ACCOUNTS)) {
      const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await signInAs(page, url, email);
      for (const lang of ["en", "cy"]) {
        if (lang === "cy") await switchLanguage(page, "Cymraeg", "cy");
        await expect(headerRow(page), `${role} in ${lang}`).resolves.toEqual({ sameRow: true, atRight: true });
        await expectNoAxeViolations(page);
        touching[`${role} home (${lang})`] = await tagsTouching(page);
      }
      await switchLanguage(page, "English", "en");
      for (const path of ["/account/sessions", ...(role === "admin" ? ["/admin/users"] : [])]) {
        await page.goto(`${url}${path}`);
        await page.locator(".app-with-tag").first().waitFor();
        touching[path] = await tagsTouching(page);
        await page.setViewportSize({ width: 320, height: 800 });
        touching[`${path} at 320 px`] = await tagsTouching(page);
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      await page.close();
    }
    const close = Object.entries(touching).flatMap(([where, pairs]) => pairs.map((p) => `${where}: ${p}`));
    expect(close).toEqual([]);
  });
});
