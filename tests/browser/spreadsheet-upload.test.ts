import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";

const ROUND = "2026-12-care-experienced-parents";
const NEWPORT = "W06000022";
const FEBRUARY = "2023-02-care-experienced-parents";
const CHECK_TITLE = "Check your answers before submitting your return";
/** The Return sheet's State and Number columns; column A holds each row's item code. */
const STATE = 4;
const NUMBER = 5;

/** Newport's template, downloaded in the officer's session, with these numbers typed in. */
async function filledTemplate(page: Page, url: string, numbers: Record<string, unknown>) {
  const response = await page.request.get(`${url}/returns/${ROUND}/${NEWPORT}/template.xlsx`);
  expect(response.status()).toBe(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await response.body()) as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets.find((s) => s.name === "Return" || s.name === "Ffurflen")!;
  sheet.eachRow((row) => {
    const code = row.getCell(1).value;
    if (typeof code === "string" && code in numbers) {
      row.getCell(STATE).value = "A number";
      row.getCell(NUMBER).value = numbers[code] as ExcelJS.CellValue;
    }
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function upload(page: Page, url: string, file: Buffer) {
  await page.goto(`${url}/returns/${ROUND}/${NEWPORT}/upload`);
  await page.locator("input[type=file]").setInputFiles({ name: "newport.xlsx", mimeType: "application/octet-stream", buffer: file });
  await page.locator("form[enctype='multipart/form-data'] button[type=submit]").click();
}

describe.skipIf(chromiumMissing)("spreadsheets, comparison links and the 404 in the browser", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("an upload's errors name the item and the cell, its banner names the figures to explain; the import page asks for no download; comparison from the officer's home; the 404 with the navigation; English and Welsh", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = running.portal.url;
    await signInAs(page, url, "officer.newport@authorities.example");

    // A figure that is not a whole number: the error says which item, and where.
    await upload(page, url, await filledTemplate(page, url, { care_leavers_21_25: 12.5 }));
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain(
      "Care leavers aged 21 to 25 known to the authority (cell E4): enter a whole number, like 12",
    );
    await expectNoAxeViolations(page);

    // Last round Newport gave 271: 100 needs an explanation, and the banner says so.
    await upload(page, url, await filledTemplate(page, url, { care_leavers_21_25: 100, care_experienced_parents: 9 }));
    const banner = page.locator(".govuk-notification-banner", { hasText: "Your spreadsheet has been uploaded" });
    await banner.waitFor();
    await expect(banner.locator("#uploaded-to-explain li").allTextContents()).resolves.toEqual([
      "Care leavers aged 21 to 25 known to the authority",
    ]);
    await expectNoAxeViolations(page);

    // Come from a query's link, with its fragment: the check page's address does not keep it.
    await page.goto(`${url}/returns/${ROUND}/${NEWPORT}#query-1`);
    await page.getByRole("button", { name: "Save and check your answers" }).click();
    await page.waitForURL(/\/check/);
    await page.locator("h1", { hasText: CHECK_TITLE }).waitFor();
    expect(new URL(page.url()).hash).toBe("");

    // In Welsh.
    await page.getByRole("button", { name: "Cymraeg", exact: true }).click();
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await upload(page, url, await filledTemplate(page, url, { care_leavers_21_25: "deuddeg" }));
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain(
      "Pobl sy'n gadael gofal rhwng 21 a 25 oed sy'n hysbys i'r awdurdod (cell E4):",
    );
    await expectNoAxeViolations(page);
    await upload(page, url, await filledTemplate(page, url, { care_leavers_21_25: 90, care_experienced_parents: 9 }));
    const welshBanner = page.locator(".govuk-notification-banner", { hasText: "Mae eich taenlen wedi'i huwchlwytho" });
    await welshBanner.waitFor();
    await expect(welshBanner.textContent()).resolves.toContain("Mae angen esboniad ar y ffigur hwn nawr cyn y gallwch gyflwyno:");
    await page.getByRole("button", { name: "English", exact: true }).click();
    await page.locator("html[lang=en]").waitFor({ state: "attached" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login$/);

    // The coordinator's import page: its hint describes the workbook it asks for, not a download it does not offer.
    await signInAs(page, url, "coordinator@adss-cymru.example");
    await page.goto(`${url}/collections/${ROUND}/import`);
    await page.locator("h1", { hasText: "Load returns from a workbook" }).waitFor();
    const hint = await page.locator(".govuk-hint").first().textContent();
    expect(hint).toContain("An .xlsx workbook with the columns above");
    await expect(page.locator("main").textContent()).resolves.not.toContain("downloaded from this page");
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Cymraeg", exact: true }).click();
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await expect(page.locator(".govuk-hint").first().textContent()).resolves.toContain("Llyfr gwaith .xlsx gyda'r colofnau uchod");
    await expectNoAxeViolations(page);

    // The coordinator lets officers compare February 2023: Newport's officer finds it from home.
    await page.getByRole("button", { name: "English", exact: true }).click();
    await page.locator("html[lang=en]").waitFor({ state: "attached" });
    await page.goto(`${url}/collections/${FEBRUARY}/design`);
    await page.getByLabel("Let officers see other authorities' accepted figures once closed").check();
    await page.getByRole("button", { name: "Save this choice" }).click();
    await page.locator(".govuk-notification-banner", { hasText: "Your choice about comparing authorities has been saved." }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login$/);
    await signInAs(page, url, "officer.newport@authorities.example");
    await page.getByRole("link", { name: /^Compare with Wales and the regions/ }).click();
    await page.locator("h2", { hasText: "Totals for Wales" }).waitFor();
    await expectNoAxeViolations(page);

    // An address that matches nothing: a 404 in the person's language, with the navigation.
    await page.goto(`${url}/no-such-page`);
    await page.locator("h1", { hasText: "Page not found" }).waitFor();
    await expect(page.getByRole("button", { name: "Sign out" }).count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Cymraeg", exact: true }).click();
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await page.goto(`${url}/no-such-page`);
    await page.locator("h1", { hasText: "Heb ddod o hyd i'r dudalen" }).waitFor();
    await expect(page.getByRole("button", { name: "Allgofnodi" }).count()).resolves.toBe(1);
    await page.goto(`${url}/`);
    await expect(page.getByRole("link", { name: /^Cymharu â Chymru a'r rhanbarthau/ }).count()).resolves.toBe(1);
    await page.close();
  });
});
