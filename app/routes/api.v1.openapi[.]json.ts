import { openApiDocument } from "#app/api/openapi.server.ts";
import { apiJson } from "#app/api/problem.server.ts";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the shared zod schemas. */
export async function loader() {
  return apiJson(openApiDocument());
}
