import { describe, expect, it } from "vitest";
import { chromiumMissing, expectNoAxeViolations, usePortalInChromium, watchForPageErrors } from "../support/portal.ts";

const ROUND = "2023-02-care-experienced-parents";

describe.skipIf(chromiumMissing)("published statistics in a browser, without signing in", () => {
  const running = usePortalInChromium();

  it("reads February 2023 in English and in Welsh: 926 from 12 of 22, three counted differently, seven no reply, the downloads; axe passes", async () => {
    const page = await running.browser.newPage();
    const errors = watchForPageErrors(page);
    // Found from the sign-in page, where anyone not signed in lands: the footer links to them.
    await page.goto(`${running.portal.url}/`);
    await page.waitForURL(/\/login/);
    await page.locator("footer").getByRole("link", { name: "Published statistics" }).click();
    await page.locator("h1", { hasText: "Published statistics" }).waitFor();
    const response = await page.goto(`${running.portal.url}/statistics`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()["cache-control"]).toBe("public, max-age=300");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Care-experienced young people who are parents (February 2023)" }).click();
    await page.waitForURL(new RegExp(`/statistics/${ROUND}$`));
    const total = page.locator("#total-care_leavers_21_25");
    await expect(total.textContent()).resolves.toContain("926, from the 12 of 22 authorities that gave a comparable figure");
    await expect(total.textContent()).resolves.toContain("3 counted differently");
    await expect(total.textContent()).resolves.toContain("7 did not reply");
    const table = (await page.locator("#by-authority").textContent()) ?? "";
    for (const name of ["Conwy", "Neath Port Talbot", "Rhondda Cynon Taf"]) expect(table).toContain(name);
    // Three for item 1, and Blaenau Gwent's parents (item 2), which include expectant parents.
    expect(table.match(/\[d\]/g)?.length).toBe(4);
    const downloads = page.locator("#downloads a");
    await expect(downloads.count()).resolves.toBe(4);
    for (const href of await downloads.evaluateAll((links) => links.map((a) => a.getAttribute("href")!))) {
      const file = await page.request.get(`${running.portal.url}${href}`);
      expect(file.status(), href).toBe(200);
      expect(file.headers()["content-disposition"]).toContain("attachment");
    }
    await expectNoAxeViolations(page);

    await page.getByRole("link", { name: "Cymraeg" }).click();
    await page.waitForURL(new RegExp(`/statistics/${ROUND}$`));
    // The address changes before the Welsh page is drawn: wait for the page itself.
    await page.locator("html[lang=cy]").waitFor({ state: "attached" });
    await expect(page.locator("h1").textContent()).resolves.toBe("Pobl ifanc â phrofiad o ofal sy'n rhieni (Chwefror 2023)");
    await expect(page.locator("#total-care_leavers_21_25").textContent()).resolves.toContain("Ni atebodd 7");
    await expect(page.locator("#downloads").textContent()).resolves.toContain("StatsCymru");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("is a 404 for a round whose statistics are not published", async () => {
    const page = await running.browser.newPage();
    const response = await page.goto(`${running.portal.url}/statistics/2026-12-care-experienced-parents`);
    expect(response!.status()).toBe(404);
    await page.close();
  });
});
