/**
 * What every request meets before Remix, against the production server: a body over its limit is
 * refused with a 413 page before it is read (before, a 50 MB POST /login was read whole, and eight
 * at once took the server from 231 MB to 824 MB), and the origin check refuses another site's form
 * with a 403 page but lets a browser that withholds its origin (`Origin: null`) reach the CSRF check,
 * never a 500. Under /api/ the same refusals are problem details, as the API's own are.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimitFor, FORM_BODY_LIMIT, UPLOAD_BODY_LIMIT } from "../../server/limits.ts";
import { spawnPortal, startPortal, type RunningPortal } from "../support/portal.ts";

const MB = 2 ** 20;

/** The process's resident memory, or NaN once it has gone. */
function rssMB(pid: number) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of the body written before the answer came. */
  sent: number;
}

/**
 * Sends `path` a body of `declared` bytes (or chunked, with no length), written as fast as the
 * server takes it, and stops writing as soon as the answer arrives.
 */
function send(
  url: string,
  path: string,
  { declared, chunked = false, headers = {} }: { declared: number; chunked?: boolean; headers?: Record<string, string> },
) {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(path, url);
    const request = http.request(target, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(declared) }),
        ...headers,
      },
    });
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, "a");
    const write = () => {
      while (!answered && sent < declared) {
        const piece = chunk.subarray(0, Math.min(chunk.length, declared - sent));
        sent += piece.length;
        if (!request.write(piece)) return void request.once("drain", write);
      }
      if (!answered) request.end();
    };
    request.on("response", (response) => {
      answered = true;
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => (body += text));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode!, headers: response.headers, body, sent });
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    write();
  });
}

describe("requests before Remix: body limits and the origin check", () => {
  let portal: RunningPortal;

  beforeAll(async () => {
    portal = await startPortal();
  }, 300_000);
  afterAll(async () => {
    await portal?.stop();
  });

  it("refuses eight 50 MB sign-in posts at once with a 413 page, without reading them: the server's memory stays flat", async () => {
    // One refusal first, so that what a fresh server loads for its first 413 page is not counted.
    expect((await send(portal.url, "/login", { declared: FORM_BODY_LIMIT + 1 })).status).toBe(413);
    const before = rssMB(portal.pid());
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMB(portal.pid()))), 20);
    const began = performance.now();
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(portal.url, "/login", { declared: 50 * MB }))).finally(() =>
      clearInterval(sampler),
    );
    const seconds = (performance.now() - began) / 1000;
    peak = Math.max(peak, rssMB(portal.pid()));
    console.log(
      `body limits: eight 50 MB POST /login answered in ${seconds.toFixed(2)} s; server RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most (+${(peak - before).toFixed(1)} MB); ${answers.map((a) => Math.round(a.sent / MB)).join(", ")} MB written by each client before its answer`,
    );
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.headers["content-type"]).toMatch(/^text\/html/);
      expect(answer.body).toContain("What was sent is too big");
      expect(answer.body).toContain("anfonwyd yn rhy fawr");
      expect(answer.body).toContain("256 KB");
    }
    expect(Number.isFinite(peak), `the server still runs: ${portal.output().slice(-1000)}`).toBe(true);
    // Had the server read even one body, it would hold 50 MB; the few MB each client got through
    // before its answer are read in chunks and dropped, and grew the server by up to 33 MB on a loaded machine.
    expect(peak - before, "MB of server memory taken by the refused bodies").toBeLessThan(50);
    expect(seconds).toBeLessThan(10);
    // The server is still answering.
    expect((await fetch(`${portal.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it("refuses a form body just over its limit, and a chunked body with no length, on any route", async () => {
    for (const path of ["/login", "/language", "/returns/x/y", "/no-such-page"]) {
      expect((await send(portal.url, path, { declared: FORM_BODY_LIMIT + 1 })).status, path).toBe(413);
    }
    const chunked = await send(portal.url, "/login", { declared: 1024, chunked: true });
    expect(chunked.status).toBe(411);
    expect(chunked.body).toContain("What was sent is too big");
  });

  it("lets a workbook upload have its own, larger limit, and no more", async () => {
    const path = "/returns/2026-12-care-experienced-parents/W06000015/upload";
    expect(bodyLimitFor(path)).toBe(UPLOAD_BODY_LIMIT);
    expect(bodyLimitFor("/collections/2026-12-care-experienced-parents/import")).toBe(UPLOAD_BODY_LIMIT);
    expect(bodyLimitFor("/collections/2026-12-care-experienced-parents/import/7")).toBe(FORM_BODY_LIMIT);
    const over = await send(portal.url, path, {
      declared: UPLOAD_BODY_LIMIT + 1,
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
    });
    expect(over.status).toBe(413);
  });

  it("refuses a form posted from another site with a 403 page, not a 500", async () => {
    for (const origin of ["https://evil.example", `${portal.url}.evil.example`, "not a url"]) {
      const answer = await send(portal.url, "/login", { declared: 20, headers: { Origin: origin } });
      expect(answer.status, origin).toBe(403);
      expect(answer.body).toContain("This form was sent from another website");
      expect(answer.body).toContain("Anfonwyd y ffurflen hon o wefan arall");
    }
  });

  it("passes a post with the browser's own origin, or with Origin: null, to the CSRF check", async () => {
    for (const origin of [portal.url, "null"]) {
      const answer = await send(portal.url, "/login", { declared: 20, headers: { Origin: origin } });
      // No CSRF cookie or token: refused by the sign-in form, not by the origin check and not with a 500.
      expect(answer.status, origin).toBeLessThan(500);
      expect(answer.body, origin).not.toContain("This form was sent from another website");
    }
  });

  it("refuses to start in production without PUBLIC_URL, the address links and forms are checked against", async () => {
    await expect(spawnPortal({ ...portal.database.env, PUBLIC_URL: "" })).rejects.toThrow(/PUBLIC_URL is required in production/);
  }, 300_000);

  it("answers Remix's old ?_data= requests with a not-found page before Remix, and logs nothing for them", async () => {
    const before = portal.output().length;
    for (const path of ["/?_data=root", "/login?_data=routes%2Flogin", "/accessibility?x=1&_data"]) {
      const response = await fetch(`${portal.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(404);
      const body = await response.text();
      expect(body).toContain("Page not found");
      expect(body).toContain("Heb ddod o hyd i&#39;r dudalen");
    }
    // The pages themselves, and their .data, still answer.
    expect((await fetch(`${portal.url}/accessibility`)).status).toBe(200);
    expect((await fetch(`${portal.url}/login.data`)).status).toBe(200);
    expect(portal.output().slice(before)).not.toMatch(/"level":50|Single fetch/);
  });

  it("refuses requests to /api/ before Remix with problem details, as the API's own refusals are, with the same statuses", async () => {
    const draft = "/api/v1/returns/2026-12-care-experienced-parents/W06000015/draft";
    const json = { "Content-Type": "application/json" };
    const problemIn = (answer: Answer, status: number, kind: string) => {
      expect(answer.status, kind).toBe(status);
      expect(answer.headers["content-type"], kind).toBe("application/problem+json; charset=utf-8");
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(body, kind).toMatchObject({ type: `/api/v1/docs#problem-${kind}`, status });
      expect(typeof body.title).toBe("string");
      return body as { title: string; detail: string };
    };
    const tooLarge = problemIn(await send(portal.url, draft, { declared: FORM_BODY_LIMIT + 1, headers: json }), 413, "tooLarge");
    expect(tooLarge).toMatchObject({ title: "The body is too big" });
    expect(tooLarge.detail).toContain("256 KB");
    const welsh = problemIn(
      await send(portal.url, draft, { declared: FORM_BODY_LIMIT + 1, headers: { ...json, "Accept-Language": "cy" } }),
      413,
      "tooLarge",
    );
    expect(welsh.title).toBe("Mae'r corff yn rhy fawr");
    problemIn(await send(portal.url, draft, { declared: 1024, chunked: true, headers: json }), 411, "lengthRequired");
    problemIn(await send(portal.url, draft, { declared: 20, headers: { ...json, Origin: "https://evil.example" } }), 403, "crossOrigin");
    for (const path of ["/api/v1/collections?_data=root", "/api?_data=root"]) {
      const legacy = await fetch(`${portal.url}${path}`);
      expect(legacy.status, path).toBe(404);
      expect(legacy.headers.get("content-type"), path).toContain("application/problem+json");
    }
    // Addresses under /api/ that no route has: the API's 404, through Remix.
    for (const path of ["/api/v1/nothing", "/api/v1/returns/2026-12-care-experienced-parents/W06000015"]) {
      const response = await fetch(`${portal.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toContain("application/problem+json");
      expect(await response.json(), path).toMatchObject({ type: "/api/v1/docs#problem-notFound", status: 404 });
    }
    // Pages keep their HTML, /api-tokens among them.
    const page = await send(portal.url, "/api-tokens", { declared: FORM_BODY_LIMIT + 1 });
    expect(page.status).toBe(413);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const missing = await fetch(`${portal.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("marks pages and their .data no-store, so that no cache keeps a page rendered for one person", async () => {
    // Pages rendered for a visitor, and their data (a redirect has no page to keep).
    for (const path of ["/login", "/login.data", "/accessibility", "/_root.data"]) {
      const response = await fetch(`${portal.url}${path}`, { redirect: "manual" });
      expect(response.headers.get("cache-control"), path).toBe("no-store");
    }
    // Static files keep their own caching.
    const css = await fetch(`${portal.url}/assets/images/favicon.svg`);
    expect(css.headers.get("cache-control")).toMatch(/max-age/);
  });
});
