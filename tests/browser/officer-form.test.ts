import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { getCollection } from "#app/models/collection.server.ts";
import { amendReturn, findReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { raiseQuery, replyToQuery } from "#app/models/value-query.server.ts";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";

const NINE_ITEMS = "2026-12-care-experienced-parents";
const SHOTS = process.env.FORM_SHOTS ?? "";

/** The header's language buttons change the signed-in person's language. */
async function switchLanguage(page: Page, button: string, lang: string) {
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
}

async function shots(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 320, height: 800 });
  await page.screenshot({ path: `${SHOTS}/${name}-320.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

// The rounds, returns and queries are put in place through the models, on the server's PostgreSQL database.
describe.skipIf(chromiumMissing || (!process.env.TEST_DATABASE_URL && !process.env.CI))(
  "the officer's form in the browser",
  { timeout: 600_000 },
  () => {
    const running = usePortalInChromium();

    it("a queried figure is marked on the amended form with the coordinator's question and the replies beside it, and a way to reply; in English and Welsh, axe clean", async () => {
      const db = running.portal.database.db;
      const url = running.portal.url;
      const coordinator = await db.selectFrom("app_user").select("id").where("role", "=", "coordinator").executeTakeFirstOrThrow();
      const officer = await db
        .selectFrom("app_user")
        .select("id")
        .where("email", "=", "officer.conwy@authorities.example")
        .executeTakeFirstOrThrow();
      const CONWY = "W06000003";
      await submitAs(db, NINE_ITEMS, CONWY, {
        care_leavers_21_25: { state: "reported", number: "140" },
        care_experienced_parents: { state: "reported", number: "9" },
        care_experienced_parents_child_removed: { state: "reported", number: "2" },
      });
      const scope = { collection: (await getCollection(db, NINE_ITEMS))!, authorityCode: CONWY };
      const asked = await raiseQuery(db, scope, {
        itemCode: "care_leavers_21_25",
        body: "Is 140 right? Last round it was 60.",
        actor: { userId: coordinator.id, role: "coordinator", authorityCode: null },
        baseUrl: url,
      });
      expect(asked).toEqual({ ok: true });
      const query = await db.selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
      const officerActor = { userId: officer.id, role: "officer" as const, authorityCode: CONWY };
      expect(
        await replyToQuery(db, scope, { queryId: query.id, body: "We are checking with the teams.", actor: officerActor, baseUrl: url }),
      ).toEqual({ ok: true });
      const ret = (await findReturn(db, scope))!;
      expect((await amendReturn(db, scope, { basedOn: ret.lock_version, reason: "Checking 140.", actor: SYSTEM_ACTOR })).ok).toBe(true);

      const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await signInAs(page, url, "officer.conwy@authorities.example");
      await page.goto(`${url}/returns/${NINE_ITEMS}/${CONWY}`);
      const queried = page.locator(".app-value--queried");
      await queried.waitFor();
      await expect(queried.getAttribute("id")).resolves.toBe("item-care_leavers_21_25");
      await expect(page.locator(".app-value--queried").count()).resolves.toBe(1);
      const thread = queried.locator(".app-value__query");
      await expect(thread.locator("h3").textContent()).resolves.toBe("The coordinator has queried this figure");
      await expect(thread.textContent()).resolves.toContain("Is 140 right? Last round it was 60.");
      await expect(thread.textContent()).resolves.toContain("We are checking with the teams.");
      // Beside the answer at 1280 px: the thread starts level with the number box, to its right.
      const [answerBox, threadBox] = await Promise.all([queried.locator(".app-value__answer").boundingBox(), thread.boundingBox()]);
      expect(threadBox!.x).toBeGreaterThan(answerBox!.x + answerBox!.width);
      expect(Math.abs(threadBox!.y - answerBox!.y)).toBeLessThan(2);
      await expectNoAxeViolations(page);
      await shots(page, "form-queried");

      // The reply link leads to the thread's reply form, which comes back to the form.
      await thread.getByRole("link", { name: "Reply to the query about Care leavers aged 21 to 25 known to the authority" }).click();
      await page.locator(`#query-${query.id}-message`).waitFor();
      await page.locator(`#query-${query.id}-message`).fill("Two teams merged: 140 is right.");
      await page.getByRole("button", { name: "Send reply" }).click();
      await page.locator(".app-value--queried").waitFor();
      await expect(page.locator(".app-value--queried .app-value__query").textContent()).resolves.toContain(
        "Two teams merged: 140 is right.",
      );

      await switchLanguage(page, "Cymraeg", "cy");
      await expect(page.locator(".app-value--queried .app-value__query h3").textContent()).resolves.toBe(
        "Mae'r cydlynydd wedi holi am y ffigur hwn",
      );
      await expect(page.locator(".app-value--queried .app-value__query a").textContent()).resolves.toMatch(/^Ateb yr ymholiad/);
      await expectNoAxeViolations(page);
      await page.setViewportSize({ width: 320, height: 800 });
      await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(320);
      await page.close();
    });

    it("measures the nine-item demo return from the home page to submitted: the clicks and keystrokes the page receives", async () => {
      const url = running.portal.url;
      const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
      // Every trusted click and key press the pages receive, kept across page loads.
      await page.addInitScript(`
        for (const [event, key] of [["click", "clicks"], ["keydown", "keystrokes"]]) {
          addEventListener(event, (e) => {
            if (e.isTrusted) sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) ?? 0) + 1));
          }, true);
        }`);
      await signInAs(page, url, "officer.cardiff@authorities.example");
      await page.evaluate(() => sessionStorage.clear());
      await page.locator(`main a[href="/returns/${NINE_ITEMS}/W06000015"]`).first().click();
      await page.locator("#answered").waitFor();
      await shots(page, "form");
      const figures: [string, string][] = [
        ["care_leavers_21_25", "95"],
        ["care_experienced_parents", "12"],
        ["care_experienced_mothers", "8"],
        ["care_experienced_fathers", "4"],
        ["care_experienced_parents_recent", "5"],
        ["care_experienced_parents_home_authority", "7"],
        ["care_experienced_parents_other_authority", "5"],
        ["care_experienced_parents_child_removed", "3"],
        ["children_reunification_plan", "2"],
      ];
      for (const [code, figure] of figures) {
        await page.locator(`#${code}-number`).click();
        await page.keyboard.type(figure);
      }
      await page.getByRole("button", { name: "Save and check your answers" }).click();
      await page.waitForURL(/\/check$/);
      await page.getByLabel("Their role").click();
      await page.keyboard.type("Head of Children's Services");
      await page.getByRole("button", { name: "Submit return" }).click();
      await page.locator(".govuk-panel").waitFor();
      const counted = await page.evaluate(() => ({
        clicks: Number(sessionStorage.getItem("clicks") ?? 0),
        keystrokes: Number(sessionStorage.getItem("keystrokes") ?? 0),
      }));
      console.log(`The nine-item return, home page to submitted: ${JSON.stringify(counted)}`);
      // One click to the return, one into each box, save and check, the role's box, submit; the figures and the role typed.
      expect(counted).toEqual({ clicks: 13, keystrokes: 11 + "Head of Children's Services".length });
      await page.close();
    });
  },
);
