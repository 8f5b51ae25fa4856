import { notFound } from "#app/auth/auth.server.ts";

// An address no other route matches. Without this route Remix answers it with no route matched,
// so the root loader does not run and the 404 page has neither the person's language nor the
// navigation; here the root loader runs and the root ErrorBoundary draws the 404 with both.
export async function loader() {
  throw notFound();
}

/** Never drawn (the loader always refuses); a page component keeps this a page route, whose 404 the root draws. */
export default function NotFound() {
  return null;
}
