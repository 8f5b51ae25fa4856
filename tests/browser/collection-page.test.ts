import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, signInAs, usePortalInChromium, watchForPageErrors } from "../support/portal.ts";

describe.skipIf(chromiumMissing)("the February 2023 round in a browser", () => {
  const running = usePortalInChromium();

  it("shows the real figures and their coverage, passes axe, and breaks no CSP rule", async () => {
    const page = await running.browser.newPage();
    const errors = watchForPageErrors(page);
    const response = await page.goto(`${running.portal.url}/`);
    await page.waitForURL(/\/login/);
    const headers = (await response!.request().redirectedFrom()?.response())?.headers() ?? {};
    const loginHeaders = response!.headers();
    for (const h of [headers, loginHeaders]) {
      expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+'/);
      expect(h["content-security-policy"]).not.toContain("unsafe-inline");
      expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(h["x-frame-options"]).toBe("DENY");
      expect(h["x-content-type-options"]).toBe("nosniff");
    }
    await expectNoAxeViolations(page);
    await signInAs(page, running.portal.url, "coordinator@adss-cymru.example");
    await expect(page.title()).resolves.toBe("Information requests – Care experience data returns");
    // In production the session cookie is Secure, httpOnly and SameSite=Lax.
    const session = (await page.context().cookies()).find((c) => c.name === "__session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Care-experienced young people who are parents (February 2023)" }).click();
    await page.waitForURL(/2023-02-care-experienced-parents$/);
    const total = page.locator("#total-care_leavers_21_25");
    await expect(total.textContent()).resolves.toContain("926, from the 12 of 22 authorities that gave a comparable figure");
    await expect(total.textContent()).resolves.toContain("3 counted differently");
    await expect(total.textContent()).resolves.toContain("7 did not reply");
    await expect(page.locator("#total-care_experienced_parents").textContent()).resolves.toContain("14 do not collect it");
    await expect(page.locator("#total-care_experienced_parents").textContent()).resolves.toContain("1 counted differently");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("gives the workbook for publication from the round's button, with JavaScript and without", async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await running.browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await signInAs(page, running.portal.url, "analyst@gov-wales.example");
      await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents#publication`);
      await expect(page.locator("#publication").textContent()).resolves.toBe("Workbook for publication");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download the workbook for publication (Excel)" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("2023-02-care-experienced-parents-for-publication.xlsx");
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile((await download.path())!);
      const about: string[] = [];
      book.getWorksheet("About")!.eachRow((row) => about.push(String(row.getCell(2).value ?? "")));
      expect(about.join("\n"), `JavaScript ${javaScriptEnabled}`).toContain("For publication: counts from 1 to 4 are replaced by [c]");
      await expect(page.locator("h1").textContent()).resolves.toBe("Care-experienced young people who are parents (February 2023)");
      if (javaScriptEnabled) await expectNoAxeViolations(page);
      await context.close();
    }
  });

  it("reads in Welsh once Cymraeg is chosen, and keeps the choice", async () => {
    const page = await running.browser.newPage();
    await signInAs(page, running.portal.url, "analyst@gov-wales.example");
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents`);
    await page.getByRole("button", { name: "Cymraeg" }).click();
    await page.waitForURL(/2023-02-care-experienced-parents$/);
    // The address changes before the Welsh page is drawn: wait for the page itself.
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await expect(page.locator("h1").textContent()).resolves.toBe("Pobl ifanc â phrofiad o ofal sy'n rhieni (Chwefror 2023)");
    await expect(page.locator("#total-care_leavers_21_25").textContent()).resolves.toContain("Ni atebodd 7");
    await expectNoAxeViolations(page);
    await page.goto(`${running.portal.url}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Ceisiadau am wybodaeth");
    await page.close();
  });

  it("draws the gaps view, the hex map and the bar chart, with their tables, and passes axe in both languages", async () => {
    const page = await running.browser.newPage();
    const errors = watchForPageErrors(page);
    await signInAs(page, running.portal.url, "analyst@gov-wales.example");
    // The analyst chose Welsh in another test: the choice is kept with the account, and changed by its form.
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents/gaps`);
    await page.getByRole("button", { name: "English" }).click();
    await page.locator("h1", { hasText: "Data gaps" }).waitFor();
    await expect(page.locator("#no-return").textContent()).resolves.toContain("Cardiff");
    await expect(page.locator("#item-care_experienced_parents").textContent()).resolves.toContain("Not collected by 14 authorities");
    await expectNoAxeViolations(page);
    for (const colour of ["rate", "state"]) {
      await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents/items/care_leavers_21_25?colour=${colour}`);
      await expect(page.locator("svg.app-hexmap polygon").count()).resolves.toBe(22);
      await expect(page.locator("svg.app-hexmap title").first().textContent()).resolves.toMatch(/^Hex map of Wales/);
      // A bar for each of the 12 comparable figures; the 3 counted differently have no rate (decision 012).
      await expect(page.locator("svg.app-barchart g rect").count()).resolves.toBe(12);
      await expect(page.locator("svg.app-barchart").textContent()).resolves.toContain("No rate: counted differently");
      await expect(page.locator("table", { hasText: "Rate per 10,000" }).locator("tbody tr").count()).resolves.toBe(22);
      await expectNoAxeViolations(page);
    }
    await page.goto(`${running.portal.url}/items/care_leavers_21_25?authority=W06000016`);
    await expect(page.locator("svg.app-trendchart").count()).resolves.toBe(2);
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Cymraeg" }).click();
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents/gaps`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Bylchau yn y data");
    await expect(page.locator("#item-care_experienced_parents").textContent()).resolves.toContain("Heb ei gasglu gan 14 awdurdod");
    await expectNoAxeViolations(page);
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents/items/care_leavers_21_25`);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows an officer the coverage of totals made with other authorities' unaccepted figures, says why, in both languages", async () => {
    const page = await running.browser.newPage();
    const errors = watchForPageErrors(page);
    await signInAs(page, running.portal.url, "officer.conwy@authorities.example");
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents`);
    const total = page.locator("#total-care_leavers_21_25");
    await expect(total.textContent()).resolves.toContain("Not shown to you yet");
    await expect(total.textContent()).resolves.toContain("12 authorities gave a comparable figure");
    await expect(total.textContent()).resolves.not.toContain("926");
    await expect(page.locator("#withheld-note").textContent()).resolves.toContain("once the round has closed and ADSS Cymru has accepted");
    await expectNoAxeViolations(page);
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents/items/care_leavers_21_25`);
    await expect(page.locator("#wales-total").textContent()).resolves.toContain("Not shown to you yet");
    await expect(page.locator("svg.app-hexmap polygon").count()).resolves.toBe(22);
    await expectNoAxeViolations(page);
    await page.goto(`${running.portal.url}/items/care_leavers_21_25`);
    await expect(page.locator("#withheld-note").count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Cymraeg" }).click();
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents`);
    await expect(total.textContent()).resolves.toContain("Heb ei ddangos i chi eto");
    await expect(page.locator("#withheld-note").textContent()).resolves.toContain("y caiff swyddogion weld cyfanswm");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works without JavaScript", async () => {
    const context = await running.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAs(page, running.portal.url, "coordinator@adss-cymru.example");
    await page.goto(`${running.portal.url}/collections/2023-02-care-experienced-parents`);
    await expect(page.locator("#total-care_leavers_21_25").textContent()).resolves.toContain("926");
    await context.close();
  });

  it("answers an unknown address with the 404 page, not a stack trace", async () => {
    const page = await running.browser.newPage();
    await signInAs(page, running.portal.url, "coordinator@adss-cymru.example");
    const response = await page.goto(`${running.portal.url}/collections/no-such-thing`);
    expect(response?.status()).toBe(404);
    await expect(page.locator("h1").textContent()).resolves.toBe("Page not found");
    await expectNoAxeViolations(page);
    await page.close();
  });
});
