/**
 * What every request meets before Remix: the origin check for requests that change something, the
 * body limits, and the end of Remix's old data requests. One middleware, so that server.ts wires it
 * with one line.
 */
import { Router, type RequestHandler } from "express";
import { bodyLimits } from "./limits.ts";
import { originCheck } from "./origin.ts";
import { sendRefusal } from "./refusal-page.ts";

export function requestGuards(env: NodeJS.ProcessEnv = process.env) {
  const router = Router();
  router.use(bodyLimits(), originCheck(env), noLegacyDataRequests);
  return router;
}

/**
 * `?_data=` was Remix's data request before single fetch (`.data` now). The portal's pages never
 * ask for one, yet Remix still answered them, empty, logging each as an error with its stack: one
 * person could fill the error log at no cost. Not found, before Remix.
 */
const noLegacyDataRequests: RequestHandler = (req, res, next) => {
  if (req.query._data === undefined) return next();
  sendRefusal(res, 404, { title: "notFound.title", body: "notFound.body", problem: "notFound" });
};
