/**
 * The origin check for requests that change something, in place of Remix's. Remix compares the
 * Origin header with Host and answers any difference with a 500, including the `Origin: null` a
 * browser sends from a page served with `Referrer-Policy: no-referrer` (the set-password page, whose
 * address holds a secret token): that made every invitation fail in a real browser.
 *
 * Here: an origin that is this site's (PUBLIC_URL's, or the address the request was sent to) passes; `null`
 * (the browser withholding it) passes to the CSRF token, which every form carries and which is what
 * stops a forged post; any other origin is refused with a 403 page. The header is then removed, so
 * that Remix's own check, which knows nothing of PUBLIC_URL or `null`, cannot misfire.
 */
import type { RequestHandler } from "express";
import { sendRefusal } from "./refusal-page.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function originCheck(env: NodeJS.ProcessEnv = process.env): RequestHandler {
  // The site's own address: links in emails are built from it, and forms must come from it.
  if (env.NODE_ENV === "production" && !env.PUBLIC_URL?.trim()) {
    throw new Error("PUBLIC_URL must be set in production (e.g. https://portal.example.org). Refusing to start.");
  }
  const configured = env.PUBLIC_URL?.trim() ? new URL(env.PUBLIC_URL.trim()).origin : null;
  return (req, res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== "null") {
      // The address the browser sent the request to: a page of another site cannot make a browser
      // send this site's Host with its own Origin.
      const own = `${req.protocol}://${req.get("host") ?? ""}`;
      let given: string | null = null;
      try {
        given = new URL(origin).origin;
      } catch {
        given = null;
      }
      if (given === null || (given !== configured && given !== own)) {
        return sendRefusal(res, 403, { title: "refusal.origin.title", body: "refusal.origin.body", problem: "crossOrigin" });
      }
    }
    delete req.headers.origin;
    next();
  };
}
