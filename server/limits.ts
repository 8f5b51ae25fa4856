/**
 * Body limits, applied before a byte of the body is read: a form post may be at most
 * FORM_BODY_LIMIT, a workbook upload its own limit. The declared Content-Length decides, and Node's
 * parser never reads past it; a body without one (chunked) is refused with 411, since no browser
 * sends a form that way. Before this, a 50 MB POST /login was read whole before its CSRF check.
 */
import type { RequestHandler } from "express";
import { MAX_UPLOAD_BYTES } from "#app/spreadsheets/spreadsheet.ts";
import { sendRefusal } from "./refusal-page.ts";

/** Any form of the portal: the longest, a collection's design with its guidance, is a few tens of KB. */
export const FORM_BODY_LIMIT = 256 * 1024;
/** A workbook and the rest of its form. */
export const UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024;

/** The routes that take a workbook: an authority's return upload and a collection's import. */
const UPLOADS = [/^\/returns\/[^/]+\/[^/]+\/upload(?:\.data)?\/?$/, /^\/collections\/[^/]+\/import(?:\.data)?\/?$/];

/** How long a refused body is read and thrown away before the connection is cut. */
const DRAIN_MS = 5000;

export function bodyLimitFor(path: string) {
  return UPLOADS.some((pattern) => pattern.test(path)) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
}

const kilobytes = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString("en-GB")} KB`;

export function bodyLimits(): RequestHandler {
  return (req, res, next) => {
    const length = req.headers["content-length"];
    const chunked = req.headers["transfer-encoding"] !== undefined;
    if (length === undefined && !chunked) return next();
    const limit = bodyLimitFor(req.path);
    const refuse = (status: number) => {
      // The body is never buffered: what the client is still sending is discarded as it arrives (as
      // Node does for any response sent before its request was read), so that it can read the page;
      // the connection is cut after a few seconds in any case.
      sendRefusal(
        res,
        status,
        { title: "refusal.tooLarge.title", body: "refusal.tooLarge.body", problem: status === 411 ? "lengthRequired" : "tooLarge" },
        { limit: kilobytes(limit) },
      );
      setTimeout(() => req.socket.destroy(), DRAIN_MS).unref();
    };
    if (chunked && length === undefined) return refuse(411);
    if (!/^\d+$/.test(length ?? "") || Number(length) > limit) return refuse(413);
    next();
  };
}
