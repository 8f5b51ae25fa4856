/**
 * Every page a person can reach, at 320 px and at 1280 px, in English and in Welsh: the page itself
 * never scrolls sideways (issue 15). A wide data table may scroll inside its own wrapper
 * (`.app-table-wrapper`, GOV.UK's approach): that does not widen the document. The widths are
 * printed, widest first, for the closing note's "widest page at 320 px".
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { inviteUser } from "#app/models/account.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { findReturn, saveReturn } from "#app/models/return.server.ts";
import { storeImportUpload } from "#app/models/import.server.ts";
import { raiseQuery } from "#app/models/value-query.server.ts";
import { routeFiles } from "../support/hardening.ts";
import { chromiumMissing, databaseBesideMissing, signInAs, usePortalInChromium } from "../support/portal.ts";
import { submitAs } from "../support/returns.ts";
import { DECEMBER_2026 as ROUND, FEBRUARY_2023 as FEB } from "#seeds/demo.ts";
import { ANGLESEY, CARDIFF, NEWPORT, POWYS } from "../support/authorities.ts";

const ITEM = "care_leavers_21_25";
const SHOTS = process.env.NARROW_SHOTS ?? "";

/** A page to measure: the route module it shows, its address, and the status it answers with. */
interface Visit {
  route: string;
  path: string;
  status?: number;
  /** Saved as `<shot>-<width>.png` under NARROW_SHOTS. */
  shot?: string;
}

interface Width {
  page: string;
  lang: string;
  at320: number;
  at1280: number;
  /** At 1280 px: how far anything in the page's content sticks out past its column (a table wider than the page's grid). */
  spill1280: number;
  /** At a width the page does not fit: the outermost elements that stick out, to say what to fix. */
  culprits?: string;
}

/**
 * How far the content of <main> reaches past the right edge of its column, leaving out what scrolls
 * inside a wrapper of its own (`overflow-x: auto`), which stays inside the column.
 */
function spill(page: Page) {
  return page.evaluate(() => {
    const main = document.querySelector("main")!;
    const column = main.getBoundingClientRect().right;
    let furthest = column;
    const walk = (element: Element) => {
      for (const child of element.children) {
        if (child.classList.contains("govuk-visually-hidden")) continue;
        // GOV.UK's grid rows, their columns and button groups reach into the gutter by design (negative margins,
        // padding): their contents do not.
        const gutter = [...child.classList].some((c) => c.startsWith("govuk-grid-") || c === "govuk-button-group");
        if (!gutter) furthest = Math.max(furthest, child.getBoundingClientRect().right);
        if (getComputedStyle(child).overflowX === "visible") walk(child);
      }
    };
    walk(main);
    return Math.round(furthest - column);
  });
}

/**
 * The outermost elements wider than the window (those whose parent still fits), and words too long
 * for their box; not what scrolls inside a wrapper of its own.
 */
function sticksOut(page: Page, within: "window" | "main" = "window") {
  return page.evaluate((within) => {
    const root = within === "main" ? document.querySelector("main")! : document.body;
    const limit = (within === "main" ? root.getBoundingClientRect().right : document.documentElement.clientWidth) + 0.5;
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${[...e.classList].map((c) => `.${c}`).join("")}`;
    const scrolled = (e: Element) => {
      for (let a = e.parentElement; a && a !== root; a = a.parentElement) if (getComputedStyle(a).overflowX !== "visible") return true;
      return false;
    };
    const found: string[] = [];
    for (const e of root.querySelectorAll("*")) {
      if (scrolled(e)) continue;
      const right = e.getBoundingClientRect().right;
      if (right > limit && !(e.parentElement && e.parentElement.getBoundingClientRect().right > limit))
        found.push(`${name(e)} ${Math.round(right)}`);
      for (const node of e.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent?.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const textRight = range.getBoundingClientRect().right;
        if (textRight > limit && right <= limit)
          found.push(`text "${node.textContent.trim().slice(0, 40)}" in ${name(e)} ${Math.round(textRight)}`);
      }
    }
    return found.slice(0, 4).join("; ");
  }, within);
}

/** Route modules with a page: a default export (the others only answer posts or send files). */
function pageRoutes() {
  return routeFiles().filter((id) =>
    ["tsx", "ts"].some((ext) => {
      const file = join(process.cwd(), "app", `${id}.${ext}`);
      return existsSync(file) && readFileSync(file, "utf8").includes("export default");
    }),
  );
}

async function switchLanguage(page: Page, button: string, lang: string) {
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
}

async function measure(page: Page, url: string, visit: Visit, lang: string, who: string): Promise<Width> {
  await page.setViewportSize({ width: 1280, height: 900 });
  const response = await page.goto(`${url}${visit.path}`);
  expect(response?.status(), `${who} ${visit.path} (${lang})`).toBe(visit.status ?? 200);
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
  const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  const at1280 = await scrollWidth();
  const spill1280 = await spill(page);
  const culprits = at1280 > 1280 || spill1280 > 0 ? [`1280: ${await sticksOut(page, "main")}`] : [];
  if (SHOTS && visit.shot) await page.screenshot({ path: `${SHOTS}/${visit.shot}-${lang}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 320, height: 800 });
  const at320 = await scrollWidth();
  if (at320 > 320) culprits.push(`320: ${await sticksOut(page)}`);
  if (SHOTS && visit.shot) await page.screenshot({ path: `${SHOTS}/${visit.shot}-${lang}-320.png`, fullPage: true });
  return {
    page: `${who} ${visit.path}`,
    lang,
    at320,
    at1280,
    spill1280,
    ...(culprits.length > 0 ? { culprits: culprits.join(" | ") } : {}),
  };
}

/** A workbook for the coordinator's import: two authorities' answers to the first item. */
async function importWorkbook() {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Returns");
  sheet.addRow(["Authority", "Item code", "State", "Number"]);
  sheet.addRow(["Swansea", ITEM, "A number", 42]);
  sheet.addRow(["Wrexham", ITEM, "A number", 17]);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

// Returns, a query, an invitation and an upload are put in place on the server's PostgreSQL database.
const cannotRun = chromiumMissing || databaseBesideMissing("the narrow-screen walk");
describe.skipIf(cannotRun)("no page scrolls sideways at 320 px, nor past 1280 px", { timeout: 900_000 }, () => {
  const running = usePortalInChromium();

  it("every page a person can reach, anonymous, officer, coordinator and analyst, in English and Welsh", async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const db = running.portal.database.db;
    const url = running.portal.url;
    const userIdOf = async (email: string) =>
      (await db.selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    const coordinatorId = await userIdOf("coordinator@adss-cymru.example");
    const coordinator = { userId: coordinatorId, role: "coordinator" as const, authorityCode: null, isAdmin: true };
    const open = (await getCollection(db, ROUND))!;

    // Newport and Powys submitted (Newport's care leavers fall from 271 to 100: a flag with its change);
    // a query on Newport's; Cardiff's draft; a stored import; an invitation; a deactivated account.
    const answers = (leavers: number) => ({
      [ITEM]: { state: "reported", number: String(leavers) },
      care_experienced_parents: { state: "reported", number: "9" },
      care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
    });
    await submitAs(db, ROUND, NEWPORT, answers(100));
    await submitAs(db, ROUND, POWYS, answers(200));
    const raised = await raiseQuery(
      db,
      { collection: open, authorityCode: NEWPORT },
      { itemCode: ITEM, body: "Why did this fall by more than half since February 2023?", actor: coordinator, baseUrl: url },
    );
    expect(raised).toEqual({ ok: true });
    const query = await db.selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const cardiffOfficer = {
      userId: await userIdOf("officer.cardiff@authorities.example"),
      role: "officer" as const,
      authorityCode: CARDIFF,
    };
    const draft = await saveReturn(
      db,
      { collection: open, authorityCode: CARDIFF },
      {
        basedOn: (await findReturn(db, { collection: open, authorityCode: CARDIFF }))?.lock_version ?? 0,
        raw: answers(120),
        actor: cardiffOfficer,
      },
    );
    expect(draft.ok).toBe(true);
    const uploadId = await storeImportUpload(db, {
      collectionId: open.id,
      userId: coordinatorId,
      file: { name: "returns.xlsx", bytes: await importWorkbook() },
    });
    const invited = await inviteUser(
      db,
      { email: "new.analyst@gov-wales.example", name: "New Analyst", role: "analyst", authorityCode: null, language: "en" },
      { userId: coordinatorId, isAdmin: true },
      { baseUrl: url },
    );
    if (!invited.ok) throw new Error("could not invite");
    const leaver = await db
      .insertInto("app_user")
      .values({ email: "leaver@authorities.example", name: "Leaving Officer", role: "officer", authority_code: POWYS, active: false })
      .returning("id")
      .executeTakeFirstOrThrow();
    const newportOfficerId = await userIdOf("officer.newport@authorities.example");

    const common = (): Visit[] => [
      { route: "routes/_index", path: "/" },
      { route: "routes/account.sessions", path: "/account/sessions" },
      { route: "routes/account.notifications", path: "/account/notifications" },
      { route: "routes/account.two-factor", path: "/account/two-factor" },
      { route: "routes/api-tokens._index", path: "/api-tokens" },
      { route: "routes/items.$itemCode", path: `/items/${ITEM}` },
      { route: "routes/collections.$code._index", path: `/collections/${ROUND}` },
      { route: "routes/collections.$code._index", path: `/collections/${FEB}` },
      { route: "routes/collections.$code.items.$itemCode", path: `/collections/${ROUND}/items/${ITEM}` },
      { route: "routes/collections.$code.items.$itemCode", path: `/collections/${FEB}/items/${ITEM}`, shot: "item" },
      { route: "routes/accessibility", path: "/accessibility" },
      { route: "routes/statistics._index", path: "/statistics" },
      { route: "routes/statistics.$code._index", path: `/statistics/${FEB}` },
      { route: "routes/$", path: "/no-such-page", status: 404 },
    ];

    const people: { who: string; email?: string; visits: Visit[] }[] = [
      {
        who: "anonymous",
        visits: [
          { route: "routes/login", path: "/login" },
          { route: "routes/forgot-password", path: "/forgot-password" },
          { route: "routes/forgot-password", path: "/forgot-password?sent" },
          { route: "routes/set-password.$token", path: `/set-password/${invited.token}` },
          { route: "routes/accessibility", path: "/accessibility" },
          { route: "routes/statistics._index", path: "/statistics" },
          { route: "routes/statistics.$code._index", path: `/statistics/${FEB}` },
          { route: "routes/api.v1.docs", path: "/api/v1/docs" },
          { route: "routes/$", path: "/no-such-page", status: 404 },
        ],
      },
      {
        who: "officer (Newport, submitted)",
        email: "officer.newport@authorities.example",
        visits: [
          ...common(),
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${ROUND}/${NEWPORT}` },
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${FEB}/${NEWPORT}` },
          { route: "routes/returns.$collectionCode.$authorityCode.amend", path: `/returns/${ROUND}/${NEWPORT}/amend` },
          { route: "routes/returns.$collectionCode.$authorityCode.submitted", path: `/returns/${ROUND}/${NEWPORT}/submitted` },
          { route: "routes/returns.$collectionCode.$authorityCode.history", path: `/returns/${ROUND}/${NEWPORT}/history` },
          {
            route: "routes/returns.$collectionCode.$authorityCode.queries.$queryId",
            path: `/returns/${ROUND}/${NEWPORT}/queries/${query.id}`,
          },
        ],
      },
      {
        who: "officer (Cardiff, draft)",
        email: "officer.cardiff@authorities.example",
        visits: [
          { route: "routes/_index", path: "/" },
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${ROUND}/${CARDIFF}`, shot: "form" },
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${ROUND}/${CARDIFF}?check=1` },
          { route: "routes/returns.$collectionCode.$authorityCode.check", path: `/returns/${ROUND}/${CARDIFF}/check` },
          { route: "routes/returns.$collectionCode.$authorityCode.upload", path: `/returns/${ROUND}/${CARDIFF}/upload` },
        ],
      },
      {
        who: "analyst",
        email: "analyst@gov-wales.example",
        visits: [
          ...common(),
          { route: "routes/catalogue._index", path: "/catalogue" },
          { route: "routes/collections.$code.gaps", path: `/collections/${FEB}/gaps` },
          { route: "routes/collections.$code.gaps", path: `/collections/${ROUND}/gaps` },
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${FEB}/${ANGLESEY}` },
          { route: "routes/returns.$collectionCode.$authorityCode.history", path: `/returns/${FEB}/${ANGLESEY}/history` },
        ],
      },
      {
        who: "coordinator (admin)",
        email: "coordinator@adss-cymru.example",
        visits: [
          ...common().map((v) => (v.path === "/" ? { ...v, shot: "queue" } : v)),
          { route: "routes/admin.users._index", path: "/admin/users" },
          { route: "routes/admin.users.new", path: "/admin/users/new" },
          { route: "routes/admin.users.$userId._index", path: `/admin/users/${newportOfficerId}` },
          { route: "routes/admin.users.$userId.deactivate", path: `/admin/users/${newportOfficerId}/deactivate` },
          { route: "routes/admin.users.$userId.reactivate", path: `/admin/users/${leaver.id}/reactivate` },
          { route: "routes/admin.users.$userId.two-factor", path: `/admin/users/${coordinatorId}/two-factor` },
          { route: "routes/catalogue._index", path: "/catalogue" },
          { route: "routes/catalogue.new", path: "/catalogue/new" },
          { route: "routes/denominators", path: "/denominators", shot: "denominators" },
          { route: "routes/denominators_.items", path: "/denominators/items" },
          { route: "routes/collections.new", path: "/collections/new" },
          { route: "routes/collections.new", path: `/collections/new?from=${ROUND}` },
          { route: "routes/outbox", path: "/outbox" },
          { route: "routes/collections.$code.board", path: `/collections/${ROUND}/board`, shot: "board" },
          { route: "routes/collections.$code.board", path: `/collections/${FEB}/board` },
          { route: "routes/collections.$code.accept", path: `/collections/${ROUND}/accept` },
          // A chase's check page: Cardiff's draft, the email in full; Newport's submitted return, nothing to send.
          { route: "routes/collections.$code.chase.$authorityCode", path: `/collections/${ROUND}/chase/${CARDIFF}`, shot: "chase" },
          { route: "routes/collections.$code.chase.$authorityCode", path: `/collections/${ROUND}/chase/${NEWPORT}` },
          { route: "routes/collections.$code.design", path: `/collections/${ROUND}/design`, shot: "design" },
          { route: "routes/collections.$code.design", path: `/collections/${FEB}/design` },
          { route: "routes/collections.$code.preview", path: `/collections/${ROUND}/preview` },
          { route: "routes/collections.$code.status", path: `/collections/${ROUND}/status` },
          { route: "routes/collections.$code.status", path: `/collections/${FEB}/status` },
          { route: "routes/collections.$code.import._index", path: `/collections/${ROUND}/import` },
          { route: "routes/collections.$code.import.$uploadId", path: `/collections/${ROUND}/import/${uploadId}` },
          { route: "routes/collections.$code.statistics", path: `/collections/${FEB}/statistics` },
          { route: "routes/collections.$code.gaps", path: `/collections/${ROUND}/gaps` },
          { route: "routes/collections.$code.gaps", path: `/collections/${FEB}/gaps` },
          { route: "routes/returns.$collectionCode.$authorityCode._index", path: `/returns/${ROUND}/${NEWPORT}`, shot: "review" },
          { route: "routes/returns.$collectionCode.$authorityCode.history", path: `/returns/${ROUND}/${NEWPORT}/history` },
          {
            route: "routes/returns.$collectionCode.$authorityCode.queries.new",
            path: `/returns/${ROUND}/${NEWPORT}/queries/new?item=${ITEM}`,
          },
          {
            route: "routes/returns.$collectionCode.$authorityCode.queries.$queryId",
            path: `/returns/${ROUND}/${NEWPORT}/queries/${query.id}`,
          },
          { route: "routes/returns.$collectionCode.$authorityCode.accept", path: `/returns/${ROUND}/${POWYS}/accept` },
        ],
      },
    ];

    // Every page of the portal is on the list: a new page fails here until it is measured.
    const listed = new Set([...people.flatMap((p) => p.visits.map((v) => v.route)), "routes/login_.code"]);
    expect(pageRoutes().filter((id) => !listed.has(id))).toEqual([]);

    const widths: Width[] = [];
    for (const person of people) {
      const context: BrowserContext = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      if (person.email) await signInAs(page, url, person.email);
      for (const lang of ["en", "cy"]) {
        if (lang === "cy") {
          if (person.email) {
            await page.setViewportSize({ width: 1280, height: 900 });
            await page.goto(`${url}/`);
            await switchLanguage(page, "Cymraeg", "cy");
          } else {
            await page.goto(`${url}/language?lang=cy&returnTo=/login`);
            await page.locator("html[lang=cy]").waitFor({ state: "attached" });
          }
        }
        for (const visit of person.visits) widths.push(await measure(page, url, visit, lang, person.who));
      }
      await context.close();
    }

    // The second step of signing in: the code page, reached after a coordinator's password.
    for (const lang of ["en", "cy"]) {
      const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      if (lang === "cy") await page.goto(`${url}/language?lang=cy&returnTo=/login`);
      else await page.goto(`${url}/login`);
      await page.locator("#email").fill("coordinator@adss-cymru.example");
      await page.locator("#password").fill("demo-password-2023");
      await page.locator("main button[type=submit]").click();
      await page.waitForURL((u) => u.pathname === "/login/code");
      widths.push(
        await measure(
          page,
          url,
          { route: "routes/login_.code", path: new URL(page.url()).pathname + new URL(page.url()).search },
          lang,
          "anonymous",
        ),
      );
      await context.close();
    }

    widths.sort((a, b) => b.at320 - a.at320 || b.at1280 - a.at1280);
    console.log(`Widths (px) of ${widths.length} pages, widest at 320 px first:`);
    console.table(widths);
    console.log(`The widest page at 320 px: ${widths[0]!.page} (${widths[0]!.lang}), ${widths[0]!.at320} px`);
    const tooWide = widths
      .filter((w) => w.at320 > 320 || w.at1280 > 1280 || w.spill1280 > 0)
      .map((w) => `${w.page} (${w.lang}): ${w.at320} / ${w.at1280} (+${w.spill1280}): ${w.culprits}`);
    expect(tooWide).toEqual([]);
  });
});
