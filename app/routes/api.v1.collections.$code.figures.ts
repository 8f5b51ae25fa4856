import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionFigures } from "#app/api/collections.server.ts";
import { tokenGuard } from "#app/api/token.server.ts";
import { answeringProblems } from "#app/api/unexpected.server.ts";

/** GET /api/v1/collections/{code}/figures: the tidy table and coverage, as JSON or CSV, as the token's owner may see them. */
export const loader = answeringProblems(async ({ request, params }: LoaderFunctionArgs) => {
  return collectionFigures(request, await tokenGuard("routes/api.v1.collections.$code.figures", "loader", { request, params }));
});
