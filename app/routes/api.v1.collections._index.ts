import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionList } from "#app/api/collections.server.ts";
import { tokenGuard } from "#app/api/token.server.ts";
import { answeringProblems } from "#app/api/unexpected.server.ts";

/** GET /api/v1/collections: every published collection. */
export const loader = answeringProblems(async ({ request, params }: LoaderFunctionArgs) => {
  return collectionList(await tokenGuard("routes/api.v1.collections._index", "loader", { request, params }));
});
