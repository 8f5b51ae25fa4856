import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem } from "#app/api/problem.server.ts";
import { validateDraft } from "#app/api/returns.server.ts";
import { requestLanguage, tokenGuard } from "#app/api/token.server.ts";
import { answeringProblems } from "#app/api/unexpected.server.ts";

/** There is nothing to GET here: the dry run is a POST. */
export async function loader({ request }: LoaderFunctionArgs) {
  return problem(requestLanguage(request), "notFound");
}

/** POST /api/v1/returns/{collection}/{authority}/validate: every error and query at once; saves nothing. */
export const action = answeringProblems(async ({ request, params }: ActionFunctionArgs) => {
  const grant = await tokenGuard("routes/api.v1.returns.$collectionCode.$authorityCode.validate", "action", { request, params });
  if (request.method !== "POST") return problem(grant.lang, "methodNotAllowed", { headers: { Allow: "POST" } });
  return validateDraft(request, grant);
});
