/**
 * What every request meets before Remix: the origin check for requests that change something, and
 * the body limits. One middleware, so that server.ts wires it with one line.
 */
import { Router } from "express";
import { bodyLimits } from "./limits.ts";
import { originCheck } from "./origin.ts";

export function requestGuards(env: NodeJS.ProcessEnv = process.env) {
  const router = Router();
  router.use(bodyLimits(), originCheck(env));
  return router;
}
