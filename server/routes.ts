/**
 * The Remix route that answers a path, as a label for logs and metrics: the route id
 * (`routes/returns.$collectionCode.$authorityCode._index`), never the address itself, which may
 * carry a token (`/set-password/<token>`) and would make a metric per return.
 */
import type { ServerBuild } from "@remix-run/node";
import { type AgnosticRouteObject, matchRoutes } from "@remix-run/router";

const STATIC = /^\/((build|assets)\/|favicon\.ico$)/;
const OWN = new Set(["/healthz", "/readyz", "/metrics"]);

export function routeLabeller(build: ServerBuild): (pathname: string) => string {
  const routes = Object.values(build.routes);
  const childrenOf = (parentId: string | undefined): AgnosticRouteObject[] =>
    routes
      .filter((route) => route.parentId === parentId)
      .map((route) =>
        route.index
          ? { id: route.id, path: route.path, index: true as const, caseSensitive: route.caseSensitive }
          : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: childrenOf(route.id) },
      );
  const tree = childrenOf(undefined);
  return (pathname) => {
    if (OWN.has(pathname)) return pathname;
    if (STATIC.test(pathname)) return "static";
    // Single fetch asks for a page's data at `<path>.data` (`/_root.data` for the home page).
    const path = pathname === "/_root.data" ? "/" : pathname.endsWith(".data") ? pathname.slice(0, -5) : pathname;
    const matches = matchRoutes(tree, path);
    return matches?.at(-1)?.route.id ?? "unmatched";
  };
}
