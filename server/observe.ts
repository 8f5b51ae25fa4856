/**
 * One JSON log line per request (request id, method, route, status, duration, user id), the
 * request id sent back as `X-Request-Id`, and the request counted in the metrics. The line carries
 * the route's id, never the address, its query or any header: no token, password or figure.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { requestContextStorage } from "#app/web/request-context.server.ts";
import type { PortalMetrics } from "./metrics.ts";

/** An id a proxy in front already gave the request is kept, if it looks like one. */
const GIVEN_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function observeRequests({
  logger,
  metrics,
  routeOf,
}: {
  logger: Logger;
  metrics: PortalMetrics;
  routeOf: (pathname: string) => string;
}): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.get("x-request-id");
    const requestId = given && GIVEN_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", requestId);
    res.locals.requestId = requestId;
    const route = routeOf(req.path);
    const context: { requestId: string; userId?: number } = { requestId };
    metrics.inFlight.inc();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A response cut short (the client went away) is logged with the status it would have had.
      const status = res.statusCode;
      metrics.requests.inc({ method: req.method, route, status: String(status) });
      metrics.duration.observe({ method: req.method, route }, seconds);
      if (route === "/healthz" || route === "/readyz" || route === "/metrics") return;
      const line = {
        requestId,
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        userId: context.userId ?? null,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (status >= 500) logger.error(line, "request");
      else logger.info(line, "request");
    };
    res.once("finish", finish);
    res.once("close", finish);
    requestContextStorage().run(context, next);
  };
}
