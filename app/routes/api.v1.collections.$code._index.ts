import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionDetail } from "#app/api/collections.server.ts";
import { tokenGuard } from "#app/api/token.server.ts";
import { answeringProblems } from "#app/api/unexpected.server.ts";

/** GET /api/v1/collections/{code}: one collection, with its items and rules. */
export const loader = answeringProblems(async ({ request, params }: LoaderFunctionArgs) => {
  const { collection } = await tokenGuard("routes/api.v1.collections.$code._index", "loader", { request, params });
  return collectionDetail(collection);
});
