import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem } from "#app/api/problem.server.ts";
import { requestLanguage } from "#app/api/token.server.ts";

// An address under /api/ that no API route matches (/api/v1/nothing, a return's address without
// /draft): problem details, as the API answers everything, not the site's HTML 404 page.
export async function loader({ request }: LoaderFunctionArgs) {
  return problem(requestLanguage(request), "notFound");
}

export async function action({ request }: ActionFunctionArgs) {
  return problem(requestLanguage(request), "notFound");
}
