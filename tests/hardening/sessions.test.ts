/**
 * Sessions, CSRF and security headers against the real server (production build, production
 * settings), over HTTP; and what tests/routes/sign-in.test.ts does not already cover of sign-in
 * throttling: addresses written differently, unknown accounts, the window passing, and a forged
 * X-Forwarded-For that cannot hide a network address full of failures (which still lets in the
 * colleagues who sign in from it).
 */
import type { ServerBuild } from "@remix-run/node";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn as signInModel, THROTTLE } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { fillPath, serverBuild } from "../support/hardening.ts";
import { HttpVisitor } from "../support/http.ts";
import { startPortal, type RunningPortal } from "../support/portal.ts";
import { ANALYST, COORDINATOR, OFFICER } from "../support/requests.ts";
import { CARDIFF, formAnswers, ITEM, NEWPORT, OPEN_ROUND } from "./fixtures.ts";
import { isReturnAbility, may, ROUTE_ACCESS, type RouteAccess } from "#app/auth/policy.ts";
import { PROBES } from "./probes.ts";

const PARAMS: Record<string, string> = {
  code: OPEN_ROUND,
  collectionCode: OPEN_ROUND,
  authorityCode: CARDIFF,
  itemCode: ITEM,
  userId: "2",
  token: "not-a-real-invitation-token",
  uploadId: "1",
  queryId: "1",
  emailId: "1",
};

describe("sessions, CSRF and headers on the running server", () => {
  let portal: RunningPortal;
  let build: ServerBuild;
  const browser = () => new HttpVisitor(() => portal.url);

  beforeAll(async () => {
    build = await serverBuild();
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.stop();
  });

  const signedIn = async (email: string) => {
    const visitor = browser();
    const response = await visitor.signIn(email);
    expect(response.status, `sign in as ${email}`).toBe(302);
    return visitor;
  };
  /** Whether this browser's session is live: the home page, or a redirect to sign in. */
  const isSignedIn = async (visitor: HttpVisitor) => {
    const response = await visitor.fetch("/");
    await response.text();
    return response.status === 200;
  };

  it("sets its cookies HttpOnly, Secure and SameSite=Lax in production; the session's for 8 hours", async () => {
    const visitor = browser();
    const login = await visitor.fetch("/login");
    await login.text();
    const csrfCookie = login.headers.getSetCookie().find((c) => c.startsWith("__csrf="));
    expect(csrfCookie).toMatch(/^__csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const token = (await visitor.page("/login")).csrf;
    const response = await visitor.post("/login", { csrf: token, email: OFFICER.cardiff, password: "demo-password-2023" });
    expect(response.status).toBe(302);
    const [session, lang] = response.headers.getSetCookie();
    expect(session).toMatch(/^__session=[^;]+; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(lang).toMatch(/^lang=en; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly; Secure$/);
    // Signed: the cookie is the token and its signature, never a bare database id.
    expect(session!.split(";")[0]).toMatch(/^__session=[^.]+\.[^.]+$/);
  });

  it("ignores a session cookie it did not sign, or one tampered with", async () => {
    const visitor = await signedIn(OFFICER.cardiff);
    const real = visitor.cookies.get("__session")!;
    for (const forged of ["forged", `${real.slice(0, -3)}abc`, `x${real}`, real.replace(/^./, (c) => (c === "a" ? "b" : "a"))]) {
      const stranger = browser();
      stranger.cookies.set("__session", forged);
      const response = await stranger.fetch("/");
      expect(response.status, forged).toBe(302);
      expect(response.headers.get("Location")).toBe("/login?returnTo=%2F");
    }
    expect(await isSignedIn(visitor)).toBe(true);
  });

  it("gives a new session id at sign-in, and the one the browser had stops working, even replayed from elsewhere", async () => {
    const visitor = await signedIn(OFFICER.newport);
    const first = visitor.cookies.get("__session")!;
    const replay = browser();
    replay.cookies.set("__session", first);
    expect(await isSignedIn(replay)).toBe(true);
    // The sign-in form, opened before (a signed-in browser is sent on from /login), posted again.
    const form = browser();
    const { csrf } = await form.page("/login");
    visitor.cookies.set("__csrf", form.cookies.get("__csrf")!);
    const again = await visitor.post("/login", { csrf, email: OFFICER.newport, password: "demo-password-2023" });
    expect(again.status).toBe(302);
    const second = visitor.cookies.get("__session")!;
    expect(second).not.toBe(first);
    expect(await isSignedIn(visitor)).toBe(true);
    expect(await isSignedIn(replay), "the earlier session id no longer signs anyone in").toBe(false);
  });

  it("ends the session at sign-out: the cookie is cleared, and replaying it signs nobody in; other sessions go on", async () => {
    const [phone, laptop] = [await signedIn(OFFICER.conwy), await signedIn(OFFICER.conwy)];
    const cookie = phone.cookies.get("__session")!;
    const { csrf } = await phone.page("/");
    const response = await phone.post("/logout", { csrf });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    expect(response.headers.getSetCookie().find((c) => c.startsWith("__session="))).toMatch(
      /^__session=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const replay = browser();
    replay.cookies.set("__session", cookie);
    expect(await isSignedIn(replay)).toBe(false);
    expect(await isSignedIn(laptop), "another device's session is its own").toBe(true);
  });

  it("ends an account's sessions at once when an admin deactivates it", async () => {
    const analyst = await signedIn(ANALYST);
    expect(await isSignedIn(analyst)).toBe(true);
    const admin = await signedIn(COORDINATOR);
    const users = await (await admin.fetch("/admin/users")).text();
    // The analyst's own row: find it by the email next to the link.
    const analystId = users.match(new RegExp(`${ANALYST.replace(/\./g, "\\.")}[\\s\\S]*?/admin/users/(\\d+)/deactivate`))?.[1];
    expect(analystId).toBeDefined();
    const { csrf } = await admin.page(`/admin/users/${analystId}/deactivate`);
    const response = await admin.post(`/admin/users/${analystId}/deactivate`, { csrf, reason: "Left Welsh Government" });
    expect(response.status).toBe(302);
    expect(await isSignedIn(analyst)).toBe(false);
    expect((await browser().signIn(ANALYST)).status, "and cannot sign in again").toBe(400);
  });

  it("refuses every data-changing form of the build without the right CSRF token, over HTTP", async () => {
    const coordinator = await signedIn(COORDINATOR);
    const cardiff = await signedIn(OFFICER.cardiff);
    const newport = await signedIn(OFFICER.newport);
    // The CSRF token of another session (someone else's page), which must not do for this one.
    const otherToken = (await (await signedIn(OFFICER.conwy)).page("/")).csrf;
    // So that each form gets as far as its CSRF check: a draft for Cardiff (to check and submit),
    // a submitted return for Newport (to amend), a stored workbook for the coordinator to apply.
    const explained = (number: string) => ({ state: "reported", number, queryExplanation: "Checked." });
    const whole = (lockVersion: number) =>
      formAnswers(
        {
          [ITEM]: explained("40"),
          care_experienced_parents: explained("10"),
          care_experienced_mothers: explained("7"),
          care_experienced_fathers: explained("3"),
          care_experienced_parents_child_removed: explained("2"),
        },
        lockVersion,
      );
    for (const [visitor, authority] of [
      [cardiff, CARDIFF],
      [newport, NEWPORT],
    ] as const) {
      const page = await visitor.page(`/returns/${OPEN_ROUND}/${authority}`);
      expect((await visitor.post(`/returns/${OPEN_ROUND}/${authority}`, { csrf: page.csrf, ...whole(page.lockVersion!) })).status).toBe(
        302,
      );
    }
    const check = await newport.page(`/returns/${OPEN_ROUND}/${NEWPORT}/check`);
    const submitted = await newport.post(`/returns/${OPEN_ROUND}/${NEWPORT}/check`, {
      csrf: check.csrf,
      lockVersion: String(check.lockVersion),
      signedOffName: "A",
      signedOffRole: "B",
    });
    expect(submitted.status).toBe(302);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("Data").addRows([
      ["authority", "itemCode", "state", "number", "reason"],
      ["Isle of Anglesey", ITEM, "reported", 12, null],
      ["Isle of Anglesey", "care_experienced_parents", "reported", 10, null],
      ["Isle of Anglesey", "care_experienced_mothers", "reported", 7, null],
      ["Isle of Anglesey", "care_experienced_fathers", "reported", 3, null],
      ["Isle of Anglesey", "care_experienced_parents_recent", "unknown", null, "Not recorded."],
      ["Isle of Anglesey", "care_experienced_parents_child_removed", "reported", 2, null],
      ["Isle of Anglesey", "children_reunification_plan", "not_collected", null, "Not recorded."],
    ]);
    const importForm = new FormData();
    importForm.append("csrf", (await coordinator.page(`/collections/${OPEN_ROUND}/import`)).csrf);
    importForm.append("workbook", new Blob([new Uint8Array(await workbook.xlsx.writeBuffer())]), "round.xlsx");
    const stored = await coordinator.fetch(`/collections/${OPEN_ROUND}/import`, { method: "POST", body: importForm });
    const uploadId = stored.headers.get("Location")?.match(/\/import\/(\d+)$/)?.[1];
    expect(
      uploadId,
      `the import was stored (${stored.status}: ${stored.status === 302 ? "" : (await stored.text()).match(/govuk-error-summary__list[\s\S]{0,600}/)?.[0]})`,
    ).toBeDefined();

    // A query on Newport's submitted return, so that its thread's address has a form to refuse.
    const raise = await coordinator.page(`/returns/${OPEN_ROUND}/${NEWPORT}/queries/new`);
    const raised = await coordinator.post(`/returns/${OPEN_ROUND}/${NEWPORT}/queries/new`, {
      csrf: raise.csrf,
      itemCode: ITEM,
      message: "Please check this figure.",
    });
    expect(raised.status).toBe(302);
    const queryId = (await (await newport.fetch(`/returns/${OPEN_ROUND}/${NEWPORT}`)).text()).match(/\/queries\/(\d+)"/)?.[1];
    expect(queryId, "the thread's address on Newport's return").toBeDefined();

    const refused: string[] = [];
    let tried = 0;
    let threads = 0;
    for (const [id, route] of Object.entries(build.routes)) {
      const access = (ROUTE_ACCESS as Record<string, RouteAccess>)[id]?.action;
      if (!access || !(route.module as { action?: unknown }).action) continue;
      // The machine API takes a bearer token, never a cookie: there is no session for a forged page to ride on.
      if (typeof access === "object" && "token" in access) continue;
      // An action nobody may use (an address under /api/ that no route has) changes nothing: no form to forge.
      if (access === "nobody") continue;
      // Amending and a query's thread need Newport's submitted return.
      const authority = id.endsWith(".amend") || route.path?.includes(":queryId") ? NEWPORT : CARDIFF;
      const path = fillPath(route.path, { ...PARAMS, authorityCode: authority, uploadId: uploadId!, queryId: queryId! });
      if (route.path?.includes(":queryId")) threads++;
      let visitor: HttpVisitor;
      if (PROBES[id as keyof typeof PROBES]?.csrf === "anonymous") {
        visitor = browser();
        await (await visitor.fetch("/login")).text();
      } else if (access === "public" || access === "publishedStatistics") {
        throw new Error(`${id}: a public form without the sign-in form's token`);
      } else {
        const officer = { role: "officer" as const, authorityCode: authority };
        const coordinatorPerson = { role: "coordinator" as const, authorityCode: null, isAdmin: true };
        const mayPost = (person: typeof officer | typeof coordinatorPerson) =>
          isReturnAbility(access.may) ? may(person, access.may, authority) : may(person, access.may);
        if (mayPost(officer)) visitor = authority === NEWPORT ? newport : cardiff;
        else if (mayPost(coordinatorPerson)) visitor = coordinator;
        else throw new Error(`${id}: no role may post to it`);
      }
      for (const token of [null, "forged-token", otherToken]) {
        // Multipart, as the upload forms are, and as any form may be.
        const body = new FormData();
        if (token) body.append("csrf", token);
        body.append("intent", "save");
        const response = await visitor.fetch(path, { method: "POST", body });
        await response.text();
        tried++;
        if (response.status !== 403) refused.push(`${path} with ${token ?? "no token"}: ${response.status}`);
      }
    }
    expect(refused, "posts that were not refused with 403").toEqual([]);
    expect(tried).toBeGreaterThan(30);
    expect(threads, "the query thread's form was tried").toBeGreaterThan(0);
    // The sign-in form without the cookie its token is paired with.
    const bare = browser();
    const { csrf } = await bare.page("/login");
    bare.cookies.delete("__csrf");
    expect((await bare.post("/login", { csrf, email: OFFICER.cardiff, password: "demo-password-2023" })).status).toBe(403);
    console.log(`sessions: ${tried + 1} posts without the right CSRF token, each refused with 403`);
  });

  it("sends the security headers on every page of the build, signed in as the coordinator and not signed in", async () => {
    const coordinator = await signedIn(COORDINATOR);
    const anonymous = browser();
    const paths = [
      ...new Set(
        Object.values(build.routes)
          .filter((route) => route.id !== "root")
          .map((route) => fillPath(route.path, PARAMS)),
      ),
      "/no-such-page",
      "/assets/images/favicon.svg",
      `/returns/${OPEN_ROUND}/${CARDIFF}?saved=1`,
    ];
    const nonces = new Set<string>();
    const problems: string[] = [];
    let checked = 0;
    for (const path of paths) {
      for (const [who, visitor] of [
        ["coordinator", coordinator],
        ["anonymous", anonymous],
      ] as const) {
        const response = await visitor.fetch(path);
        const body = await response.text();
        const where = `${path} as ${who} (${response.status})`;
        const csp = response.headers.get("Content-Security-Policy") ?? "";
        const scriptSrc =
          csp
            .split(";")
            .map((d) => d.trim())
            .find((d) => d.startsWith("script-src")) ?? "";
        const nonce = scriptSrc.match(/'nonce-([^']+)'/)?.[1];
        if (!nonce) problems.push(`${where}: no nonce in script-src (${csp})`);
        if (scriptSrc.includes("unsafe-inline") || scriptSrc.includes("unsafe-eval")) problems.push(`${where}: ${scriptSrc}`);
        if (!csp.includes("frame-ancestors 'none'")) problems.push(`${where}: no frame-ancestors 'none'`);
        if (!csp.includes("object-src 'none'")) problems.push(`${where}: no object-src 'none'`);
        if (response.headers.get("X-Frame-Options") !== "DENY")
          problems.push(`${where}: X-Frame-Options ${response.headers.get("X-Frame-Options")}`);
        if (response.headers.get("X-Content-Type-Options") !== "nosniff") problems.push(`${where}: no nosniff`);
        // Several policies in one header: the browser applies the last it knows (set-password adds no-referrer).
        const referrer = (response.headers.get("Referrer-Policy") ?? "")
          .split(",")
          .map((p) => p.trim())
          .at(-1);
        if (!referrer || !["same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"].includes(referrer)) {
          problems.push(`${where}: Referrer-Policy ${response.headers.get("Referrer-Policy")}`);
        }
        if (path.startsWith("/set-password/") && referrer !== "no-referrer")
          problems.push(`${where}: the invitation token could leak in a Referer`);
        if (!response.headers.get("Strict-Transport-Security")?.includes("max-age="))
          problems.push(`${where}: no Strict-Transport-Security`);
        if (response.headers.get("X-Powered-By")) problems.push(`${where}: says what it runs on`);
        if (nonce) {
          if (nonces.has(nonce)) problems.push(`${where}: a nonce used twice`);
          nonces.add(nonce);
          if (response.headers.get("Content-Type")?.startsWith("text/html")) {
            // Every script the page carries is allowed by this response's nonce, and no other.
            for (const tag of body.match(/<script\b[^>]*>/g) ?? []) {
              if (!tag.includes(`nonce="${nonce}"`)) problems.push(`${where}: a script without this response's nonce: ${tag.slice(0, 80)}`);
            }
            if (/\son[a-z]+="/i.test(body.replace(/<script[\s\S]*?<\/script>/g, ""))) problems.push(`${where}: an inline event handler`);
          }
        }
        checked++;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBe(paths.length * 2);
    console.log(`sessions: security headers checked on ${checked} responses (${paths.length} addresses x 2 visitors)`);
  });

  it("counts failures from one network address whatever X-Forwarded-For claims; then lets in only the accounts that sign in from it", async () => {
    // Run last: afterwards this server refuses, for 15 minutes, sign-ins from 127.0.0.1 to accounts
    // that have not signed in from it.
    const attacker = browser();
    let refusedAt = 0;
    for (let i = 1; i <= THROTTLE.refuseAfterForAddress + 1 && !refusedAt; i++) {
      const response = await attacker.signIn(`guess${i}@authorities.example`, "wrong-password", {
        "X-Forwarded-For": `203.0.113.${i % 250}`,
      });
      await response.text();
      if (response.status === 429) refusedAt = i;
      else expect(response.status, `attempt ${i}`).toBe(400);
    }
    // Earlier tests failed a sign-in or two from this address too: refused by the 50th failure at the latest.
    expect(refusedAt).toBeGreaterThan(THROTTLE.refuseAfterForAddress - 5);
    expect(refusedAt).toBeLessThanOrEqual(THROTTLE.refuseAfterForAddress + 1);
    // Cardiff's officer signed in from this address in the tests above: a colleague behind the same NAT.
    const colleague = await browser().signIn(OFFICER.cardiff, "demo-password-2023", { "X-Forwarded-For": "198.51.100.1" });
    await colleague.text();
    expect(colleague.status).toBe(302);
    const stranger = await browser().signIn("officer.swansea@authorities.example", "demo-password-2023", {
      "X-Forwarded-For": "198.51.100.1",
    });
    expect(stranger.status).toBe(429);
    expect(await stranger.text()).toContain("too many attempts");
  }, 120_000);
});

describe("sign-in throttling: what the sign-in tests do not cover", () => {
  const db = useDemoDatabase();
  const noWait = async () => {};

  it("counts an email address however it is written: capitals and spaces are the same account", async () => {
    const variants = [
      " Officer.Newport@authorities.example",
      "OFFICER.NEWPORT@AUTHORITIES.EXAMPLE",
      "officer.newport@authorities.example ",
    ];
    for (let i = 0; i < THROTTLE.refuseAfter; i++) {
      const result = await signInModel(db(), {
        email: variants[i % variants.length]!,
        password: "wrong",
        address: "192.0.2.1",
        sleep: noWait,
      });
      expect(result).toEqual({ ok: false, reason: "invalid" });
    }
    expect(
      await signInModel(db(), { email: OFFICER.newport, password: "demo-password-2023", address: "192.0.2.1", sleep: noWait }),
    ).toMatchObject({
      ok: false,
      reason: "throttled",
    });
  });

  it("throttles an account that does not exist just as one that does, so the answer reveals nothing", async () => {
    for (let i = 0; i < THROTTLE.refuseAfter; i++) {
      await signInModel(db(), { email: "nobody.here@authorities.example", password: "x", address: "192.0.2.50", sleep: noWait });
    }
    expect(
      await signInModel(db(), { email: "nobody.here@authorities.example", password: "x", address: "192.0.2.50", sleep: noWait }),
    ).toMatchObject({
      reason: "throttled",
    });
  });

  it("counts a megabyte-long address as its first 254 characters, and throttles it", async () => {
    const long = `${"a".repeat(300)}@authorities.example`;
    for (let i = 0; i < THROTTLE.refuseAfter; i++) {
      await signInModel(db(), { email: `${long}${"z".repeat(i * 1000)}`, password: "x", address: "192.0.2.120", sleep: noWait });
    }
    expect(await signInModel(db(), { email: long, password: "x", address: "192.0.2.120", sleep: noWait })).toMatchObject({
      reason: "throttled",
    });
  });

  it("lets the account in again once the window has passed", async () => {
    const start = new Date("2030-01-01T09:00:00Z");
    for (let i = 0; i < THROTTLE.refuseAfter; i++) {
      await signInModel(db(), { email: OFFICER.conwy, password: "wrong", address: "192.0.2.160", now: start, sleep: noWait });
    }
    const during = new Date(start.getTime() + (THROTTLE.windowMinutes - 1) * 60_000);
    const after = new Date(start.getTime() + (THROTTLE.windowMinutes + 1) * 60_000);
    expect(
      await signInModel(db(), { email: OFFICER.conwy, password: "demo-password-2023", address: "192.0.2.160", now: during, sleep: noWait }),
    ).toMatchObject({
      reason: "throttled",
    });
    expect(
      await signInModel(db(), { email: OFFICER.conwy, password: "demo-password-2023", address: "192.0.2.160", now: after, sleep: noWait }),
    ).toMatchObject({
      ok: true,
    });
  });

  it("waits longer with each failure from the third, but never more than 5 seconds", async () => {
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      await signInModel(db(), {
        email: "slow.down@authorities.example",
        password: "x",
        address: "192.0.2.170",
        sleep: async (ms) => void waits.push(ms),
      });
    }
    // Ten attempts were let through to be checked (and waited for); the rest were refused without a wait.
    expect(waits).toHaveLength(THROTTLE.refuseAfter);
    expect(waits.slice(0, THROTTLE.slowAfter).every((ms) => ms === 0)).toBe(true);
    for (let i = THROTTLE.slowAfter + 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(Math.max(...waits)).toBe(THROTTLE.maxDelayMs);
  });
});
