/** Loading a denominator table in a real browser, without JavaScript's help needed: English and Welsh, axe clean. */
import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium } from "../support/portal.ts";

const AUTHORITIES = Array.from({ length: 24 }, (_, i) => `W060000${String(i + 1).padStart(2, "0")}`).filter(
  (code) => code !== "W06000017" && code !== "W06000007",
);
const HEADER = ["code", "label_en", "label_cy", "source_en", "source_cy", "year", ...AUTHORITIES].join(",");
const file = (rows: string[]) => ({
  name: "denominators.csv",
  mimeType: "text/csv",
  buffer: Buffer.from(`${[HEADER, ...rows].join("\n")}\n`),
});
const good = [
  "population_18_25",
  "residents aged 18 to 25",
  "o breswylwyr 18 i 25 oed",
  "Mid-2022 population estimates",
  "Amcangyfrifon poblogaeth canol 2022",
  "2022",
  ...AUTHORITIES.map((_, i) => String(3000 + i)),
].join(",");

describe.skipIf(chromiumMissing)("the denominators page in the browser", { timeout: 240_000 }, () => {
  const running = usePortalInChromium();

  it("refuses a bad table with its problems and loads a good one, in English and in Welsh", async () => {
    const { portal, browser } = running;
    const page = await (await browser.newContext()).newPage();
    await signInAs(page, portal.url, "coordinator@adss-cymru.example");
    await page.goto(`${portal.url}/catalogue`);
    await page.getByRole("link", { name: "Denominators for rates" }).click();
    await page.locator("h1", { hasText: "Denominators" }).waitFor();
    await expect(page.locator("table").textContent()).resolves.toContain("per 10,000 residents of all ages");
    await expect(page.locator("table").textContent()).resolves.toContain("2021");
    await expect(page.locator("table").textContent()).resolves.not.toContain("2,021");
    await expectNoAxeViolations(page);

    await page.getByLabel("Upload the denominator table (CSV)").setInputFiles(file([good.replace(",2022,", ",twenty,")]));
    await page.getByRole("button", { name: "Upload the table", exact: true }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain(
      "Row 2: the year must be a year between 1900 and 2200",
    );
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await expectNoAxeViolations(page);

    await page.getByLabel("Upload the denominator table (CSV)").setInputFiles(file([good]));
    await page.getByRole("button", { name: "Upload the table", exact: true }).click();
    await page.locator(".govuk-notification-banner--success", { hasText: "Loaded: population_18_25" }).waitFor();
    await expect(page.locator("table").textContent()).resolves.toContain("per 10,000 residents aged 18 to 25");
    await expectNoAxeViolations(page);

    // Each item names its own: the care leavers' rates per 10,000 residents aged 18 to 25.
    await page.getByRole("link", { name: "Choose each item's denominator" }).click();
    await page.locator("h1", { hasText: "Each item's denominator" }).waitFor();
    await expectNoAxeViolations(page);
    await page
      .getByLabel("Care leavers aged 21 to 25 known to the authority: rates per 10,000 of")
      .selectOption({ label: "per 10,000 residents aged 18 to 25" });
    await page.getByRole("button", { name: "Save the denominators" }).click();
    await page.locator(".govuk-notification-banner--success", { hasText: "Saved: care_leavers_21_25" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Back to the denominators" }).click();
    await page.locator("h1", { hasText: /^Denominators$/ }).waitFor();

    await page.getByRole("button", { name: "Cymraeg" }).click();
    await page.locator("h1", { hasText: "Enwaduron" }).waitFor();
    const table = await page.locator("table").textContent();
    expect(table).toContain("fesul 10,000 o breswylwyr 18 i 25 oed");
    expect(table).toContain("Amcangyfrifon poblogaeth canol 2022");
    await expectNoAxeViolations(page);
    await page.getByLabel("Uwchlwytho'r tabl enwaduron (CSV)").setInputFiles(file([good.replace("population_18_25", "Bad Code")]));
    await page.getByRole("button", { name: "Uwchlwytho'r tabl", exact: true }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expect(page.locator(".govuk-error-summary").textContent()).resolves.toContain("Rhes 2: rhaid i'r cod fod");
    await expectNoAxeViolations(page);
    await page.goto(`${portal.url}/denominators/items`);
    await page.locator("h1", { hasText: "Enwadur pob eitem" }).waitFor();
    await expect(page.getByLabel(/^Pobl sy'n gadael gofal rhwng 21 a 25 oed/).inputValue()).resolves.toBe("population_18_25");
    await expectNoAxeViolations(page);
  });
});
