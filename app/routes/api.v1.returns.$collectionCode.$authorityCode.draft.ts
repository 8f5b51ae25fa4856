import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem } from "#app/api/problem.server.ts";
import { getDraft, putDraft } from "#app/api/returns.server.ts";
import { tokenGuard } from "#app/api/token.server.ts";
import { answeringProblems } from "#app/api/unexpected.server.ts";

const ROUTE = "routes/api.v1.returns.$collectionCode.$authorityCode.draft";

/** GET /api/v1/returns/{collection}/{authority}/draft: the working copy and its lock version. */
export const loader = answeringProblems(async ({ request, params }: LoaderFunctionArgs) => {
  return getDraft(await tokenGuard(ROUTE, "loader", { request, params }));
});

/** PUT: replaces the draft's values, with If-Match carrying the lock version. */
export const action = answeringProblems(async ({ request, params }: ActionFunctionArgs) => {
  const grant = await tokenGuard(ROUTE, "action", { request, params });
  if (request.method !== "PUT") return problem(grant.lang, "methodNotAllowed", { headers: { Allow: "GET, PUT" } });
  return putDraft(request, grant);
});
