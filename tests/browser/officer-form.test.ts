import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDataItem } from "#app/models/catalogue.server.ts";
import { changeCollectionStatus, createCollection, getCollection } from "#app/models/collection.server.ts";
import { amendReturn, findReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { raiseQuery, replyToQuery } from "#app/models/value-query.server.ts";
import { chromiumMissing, databaseBesideMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";

const NINE_ITEMS = "2026-12-care-experienced-parents";
const LONG_ROUND = "2026-11-care-leavers-in-detail";
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

/** Eight more items for the catalogue, four of them a breakdown of the first: with the demo's nine, a round of seventeen. */
async function seedLongRound(db: Parameters<typeof createDataItem>[0], coordinatorId: number) {
  const item = (code: string, en: string, cy: string, parent: string | null) => ({
    code,
    label_en: en,
    label_cy: cy,
    definition_en: `${en}, on the reference date.`,
    definition_cy: `${cy}, ar y dyddiad cyfeirio.`,
    min_value: 0,
    max_value: null,
    age_from: null,
    age_to: null,
    parent_code: parent,
    denominator_code: null,
  });
  const extra = [
    item("care_leavers_in_education", "Care leavers in education", "Pobl sy'n gadael gofal mewn addysg", null),
    item(
      "care_leavers_in_further_education",
      "Care leavers in further education",
      "Pobl sy'n gadael gofal mewn addysg bellach",
      "care_leavers_in_education",
    ),
    item(
      "care_leavers_in_higher_education",
      "Care leavers in higher education",
      "Pobl sy'n gadael gofal mewn addysg uwch",
      "care_leavers_in_education",
    ),
    item(
      "care_leavers_in_apprenticeships",
      "Care leavers in apprenticeships",
      "Pobl sy'n gadael gofal mewn prentisiaethau",
      "care_leavers_in_education",
    ),
    item(
      "care_leavers_in_training",
      "Care leavers in other training",
      "Pobl sy'n gadael gofal mewn hyfforddiant arall",
      "care_leavers_in_education",
    ),
    item("care_leavers_in_work", "Care leavers in work", "Pobl sy'n gadael gofal mewn gwaith", null),
    item("care_leavers_in_custody", "Care leavers in custody", "Pobl sy'n gadael gofal yn y ddalfa", null),
    item("care_leavers_homeless", "Care leavers who are homeless", "Pobl sy'n gadael gofal sy'n ddigartref", null),
  ];
  for (const draft of extra) expect(await createDataItem(db, draft, coordinatorId)).toEqual({ ok: true });
  const nine = (await getCollection(db, NINE_ITEMS))!.items.map((i) => i.code);
  const today = new Date().toISOString().slice(0, 10);
  await createCollection(
    db,
    {
      code: LONG_ROUND,
      title_en: "Care leavers in detail (November 2026)",
      title_cy: "Pobl sy'n gadael gofal yn fanwl (Tachwedd 2026)",
      guidance_en: "",
      guidance_cy: "",
      reference_date: "2026-10-31",
      opens_on: today,
      due_on: "2027-12-31",
      items: [...nine, ...extra.map((e) => e.code)].map((code) => ({ code, required: false })),
      rules: { crossItem: [], smallCountMax: 4, queries: { changePercent: 50, changeAbsolute: 10, outlierScore: 3.5, outlierMinPeers: 5 } },
    },
    coordinatorId,
  );
  expect(await changeCollectionStatus(db, (await getCollection(db, LONG_ROUND))!, "publish", coordinatorId)).toEqual({ ok: true });
}

/** A task's name, its "N of M answered" and its status, as the task list shows them. */
async function tasks(page: Page) {
  return page
    .locator(".govuk-task-list__item")
    .evaluateAll((items) =>
      items.map((item) =>
        [".govuk-task-list__link", ".govuk-task-list__hint", ".govuk-task-list__status"].map(
          (part) => item.querySelector(part)?.textContent?.trim() ?? "",
        ),
      ),
    );
}

/** Enter in an item's number box: the return is saved and the check page shows each answer's `expected` text. */
async function enterToCheck(page: Page, itemCode: string, expected: Record<string, string>) {
  await page.locator(`#${itemCode}-number`).press("Enter");
  await page.waitForURL(/\/check$/);
  for (const [code, text] of Object.entries(expected)) {
    await expect(page.locator(`#answer-${code}`).textContent()).resolves.toContain(text);
  }
}

// The rounds, returns and queries are put in place through the models, on the server's PostgreSQL database.
const cannotRun = chromiumMissing || databaseBesideMissing("the officer's form in Chromium");
describe.skipIf(cannotRun)("the officer's form in the browser", { timeout: 600_000 }, () => {
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
    await expect(page.locator(".app-value--queried .app-value__query").textContent()).resolves.toContain("Two teams merged: 140 is right.");

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

  describe.each([
    ["with JavaScript", true, "officer.swansea@authorities.example", "W06000011"],
    ["without JavaScript", false, "officer.torfaen@authorities.example", "W06000020"],
  ])("%s", (_, javaScriptEnabled, officer, authority) => {
    it("Enter in a number box saves and goes on to check, and “Add a note…” opens one item's note keeping what was typed; axe clean", async () => {
      // axe runs as a script in the page, so only where scripts run; the markup is the server's either way.
      const axe = (page: Page) => (javaScriptEnabled ? expectNoAxeViolations(page) : Promise.resolve());
      const url = running.portal.url;
      const context = await running.browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signInAs(page, url, officer);
      const form = `${url}/returns/${NINE_ITEMS}/${authority}`;
      await page.goto(form);
      await page.locator("#answered").waitFor();
      // Each item's note and how it was counted wait behind a button; one reason box an item.
      await expect(page.locator("textarea").count()).resolves.toBe(9);
      await expect(page.locator("#care_experienced_parents-caveat").count()).resolves.toBe(0);
      await axe(page);

      // Enter in a number box presses the form's default button: save and check, not the first "Add a note…".
      await page.locator("#care_leavers_21_25-number").fill("95");
      await page.locator("#care_experienced_parents-number").fill("12");
      await enterToCheck(page, "care_experienced_parents", { care_leavers_21_25: "95", care_experienced_parents: "12" });

      // Back on the form, the figures are saved; a figure typed, then "Add a note…" for one item.
      await page.goto(form);
      await expect(page.locator("#care_leavers_21_25-number").inputValue()).resolves.toBe("95");
      await page.locator("#care_experienced_mothers-number").fill("8");
      await page
        .getByRole("button", { name: "Add a note, or say it was counted differently about Care-experienced young people who are parents" })
        .click();
      const caveat = page.locator("#care_experienced_parents-caveat");
      await caveat.waitFor();
      // Focus (with JavaScript) or the address's fragment (without) takes the person to the note.
      if (javaScriptEnabled) await expect(caveat.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
      else expect(new URL(page.url()).hash).toBe("#care_experienced_parents-caveat");
      await expect(page.locator("#care_experienced_mothers-number").inputValue()).resolves.toBe("8");
      await expect(page.locator("#care_experienced_parents-number").inputValue()).resolves.toBe("12");
      await expect(page.locator("#care_experienced_parents-ageFrom").count()).resolves.toBe(1);
      await expect(page.locator("#care_leavers_21_25-caveat").count()).resolves.toBe(0);
      await expect(page.locator(".govuk-error-summary").count()).resolves.toBe(0);
      await axe(page);
      await caveat.fill("Includes two fathers who are 26.");
      await enterToCheck(page, "care_experienced_mothers", {
        care_experienced_mothers: "8",
        care_experienced_parents: "Includes two fathers who are 26.",
      });
      // A note once written stays open on the form.
      await page.goto(form);
      await expect(page.locator("#care_experienced_parents-caveat").inputValue()).resolves.toBe("Includes two fathers who are 26.");
      await context.close();
    });

    it("an error link on the check page takes the person to the field on the form, focused, not to the form's own summary", async () => {
      const url = running.portal.url;
      const context = await running.browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await signInAs(page, url, officer);
      await page.goto(`${url}/returns/${NINE_ITEMS}/${authority}`);
      await page.locator("#care_leavers_21_25-number").fill("");
      await enterToCheck(page, "care_experienced_parents", {});
      // The first item left blank: the check page's error sends the person back to it.
      const link = page.locator(".govuk-error-summary a").first();
      const field = (await link.getAttribute("href"))!.split("#")[1]!;
      await link.click();
      await page.waitForURL(/check=1/);
      await page.locator(".govuk-error-summary").waitFor();
      expect(new URL(page.url()).hash).toBe(`#${field}`);
      if (javaScriptEnabled) {
        await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe(field);
        const box = await page.locator(`#${field}`).boundingBox();
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y).toBeLessThan(720);
      }
      await context.close();
    });
  });

  it("lists the problems in the error summary in the order of their fields on the page", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInAs(page, running.portal.url, "officer.wrexham@authorities.example");
    await page.goto(`${running.portal.url}/returns/${NINE_ITEMS}/W06000006`);
    await page
      .getByRole("button", { name: "Add a note, or say it was counted differently about Care-experienced young people who are parents" })
      .click();
    await page.locator("#care_experienced_parents-ageFrom").waitFor();
    await page.locator("#care_experienced_parents-number").fill("12");
    // The ages come before the date on the page, though the shared schema checks the date first.
    await page.locator("#care_experienced_parents-ageFrom").fill("25");
    await page.locator("#care_experienced_parents-ageTo").fill("18");
    await page.locator("#care_experienced_parents-refDay").fill("31");
    await page.locator("#care_experienced_parents-refMonth").fill("12");
    await page.locator("#care_experienced_parents-refYear").fill("2030");
    await page.getByRole("button", { name: "Save as draft", exact: true }).click();
    await page.locator(".govuk-error-summary").waitFor();
    const links = await page
      .locator(".govuk-error-summary__list a")
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).hash));
    expect(links).toEqual(["#care_experienced_parents-ageFrom", "#care_experienced_parents-refDay"]);
    await page.close();
  });

  it("a round of seventeen items is a task list of sections, each with its count answered, filled in a section at a time; in English and Welsh, axe clean", async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const db = running.portal.database.db;
    const coordinator = await db.selectFrom("app_user").select("id").where("role", "=", "coordinator").executeTakeFirstOrThrow();
    await seedLongRound(db, coordinator.id);
    const url = running.portal.url;
    const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInAs(page, url, "officer.cardiff@authorities.example");
    await page.locator(`main a[href="/returns/${LONG_ROUND}/W06000015"]`).first().click();
    await page.locator(".govuk-task-list").waitFor();
    await expect(page.locator("#answered").textContent()).resolves.toBe("0 of 17 answered");
    await expect(tasks(page)).resolves.toEqual([
      ["Item 1", "0 of 1 answered", "Not yet started"],
      ["Care-experienced young people who are parents, and its breakdown", "0 of 6 answered", "Not yet started"],
      ["Items 8 to 9", "0 of 2 answered", "Not yet started"],
      ["Care leavers in education, and its breakdown", "0 of 5 answered", "Not yet started"],
      ["Items 15 to 17", "0 of 3 answered", "Not yet started"],
    ]);
    await expectNoAxeViolations(page);
    await shots(page, "task-list");

    // A section: its items only, numbered as in the round; saved, back to the list.
    await page.getByRole("link", { name: "Care leavers in education, and its breakdown" }).click();
    await page.locator("#section-title").waitFor();
    await expect(page.locator(".app-value h2").allTextContents()).resolves.toEqual([
      "10. Care leavers in education",
      "11. Care leavers in further education",
      "12. Care leavers in higher education",
      "13. Care leavers in apprenticeships",
      "14. Care leavers in other training",
    ]);
    await expect(page.locator("#answered").textContent()).resolves.toBe("0 of 5 answered");
    await expectNoAxeViolations(page);
    await shots(page, "task-list-section");
    await page.locator("#care_leavers_in_education-number").fill("30");
    await page.locator("#care_leavers_in_further_education-number").fill("twelve");
    await page.getByRole("button", { name: "Save and return to the sections" }).click();
    // A bad figure keeps the person on the section, with the error beside it.
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator("#section-title").textContent()).resolves.toBe("Care leavers in education, and its breakdown");
    await expect(page.locator("#care_leavers_in_education-number").inputValue()).resolves.toBe("30");
    await expectNoAxeViolations(page);
    await page.locator("#care_leavers_in_further_education-number").fill("12");
    await page.locator("#care_leavers_in_higher_education-number").fill("6");
    await page.getByRole("button", { name: "Save and return to the sections" }).click();
    await page.locator(".govuk-notification-banner--success").waitFor();
    await expect(tasks(page)).resolves.toContainEqual(["Care leavers in education, and its breakdown", "3 of 5 answered", "In progress"]);

    // Another section keeps the first one's answers.
    await page.getByRole("link", { name: "Item 1", exact: true }).click();
    await page.locator("#section-title").waitFor();
    await page.locator("#care_leavers_21_25-number").fill("95");
    await page.getByRole("button", { name: "Save and return to the sections" }).click();
    await page.locator(".govuk-notification-banner--success").waitFor();
    await expect(page.locator("#answered").textContent()).resolves.toBe("4 of 17 answered");
    await expect(tasks(page)).resolves.toContainEqual(["Item 1", "1 of 1 answered", "Completed"]);
    await expect(tasks(page)).resolves.toContainEqual(["Care leavers in education, and its breakdown", "3 of 5 answered", "In progress"]);

    // In Welsh.
    await switchLanguage(page, "Cymraeg", "cy");
    await page.locator(".govuk-task-list").waitFor();
    await expect(page.locator("#answered").textContent()).resolves.toBe("4 o'r 17 wedi'u hateb");
    await expect(tasks(page)).resolves.toContainEqual([
      "Pobl sy'n gadael gofal mewn addysg, a'i dadansoddiad",
      "3 o'r 5 wedi'u hateb",
      "Ar y gweill",
    ]);
    await expect(tasks(page)).resolves.toContainEqual(["Eitemau 15 i 17", "0 o'r 3 wedi'u hateb", "Heb ddechrau eto"]);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Eitemau 15 i 17" }).click();
    await page.locator("#section-title").waitFor();
    await expect(page.locator("#answered").textContent()).resolves.toBe("0 o'r 3 wedi'u hateb");
    await expectNoAxeViolations(page);
    await context.close();

    // A round of nine keeps its single form.
    const nine = await running.browser.newPage();
    await signInAs(nine, url, "officer.newport@authorities.example");
    await nine.goto(`${url}/returns/${NINE_ITEMS}/W06000022`);
    await nine.locator("#answered").waitFor();
    await expect(nine.locator(".govuk-task-list").count()).resolves.toBe(0);
    await expect(nine.locator(".app-value").count()).resolves.toBe(9);
    await nine.close();
  });
});
