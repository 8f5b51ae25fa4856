/**
 * patches/@remix-run+router+1.23.3.patch: the router keeps each routes array's ranked branches, the
 * matches for each path and each path's compiled expression, instead of working them out again on
 * every match (seven times per page). What must still hold: the same matches, each caller's its
 * own, and routes added later through patchRoutes (as lazy route discovery adds them in the
 * browser) are found.
 */
import { createMemoryHistory, createRouter, matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import { describe, expect, it } from "vitest";

const routes = ({ catchAll = true } = {}): AgnosticRouteObject[] => [
  {
    id: "root",
    path: "/",
    children: [
      { id: "home", index: true },
      { id: "return", path: "returns/:collectionCode/:authorityCode" },
      { id: "return-check", path: "returns/:collectionCode/:authorityCode/check" },
      ...(catchAll ? [{ id: "everything-else", path: "*" }] : []),
    ],
  },
];

const ids = (matches: ReturnType<typeof matchRoutes>) => matches?.map((m) => m.route.id) ?? null;

describe("route matching with the router's caches", () => {
  it("answers every path as before, the same array asked again and again", () => {
    const tree = routes();
    for (let round = 0; round < 3; round++) {
      expect(ids(matchRoutes(tree, "/"))).toEqual(["root", "home"]);
      const form = matchRoutes(tree, "/returns/2026-12/W06000015");
      expect(ids(form)).toEqual(["root", "return"]);
      expect(form?.at(-1)?.params).toEqual({ collectionCode: "2026-12", authorityCode: "W06000015" });
      expect(ids(matchRoutes(tree, "/RETURNS/2026-12/W06000015/check"))).toEqual(["root", "return-check"]);
      expect(matchRoutes(tree, "/nowhere")?.at(-1)?.params).toEqual({ "*": "nowhere" });
    }
  });

  it("gives each caller matches of its own: changing them changes no later answer", () => {
    const tree = routes();
    matchRoutes(tree, "/returns/2026-12/W06000015");
    const first = matchRoutes(tree, "/returns/2026-12/W06000015")!;
    // Typed read-only, but a plain object a caller can change (as Remix's own code never does).
    Object.assign(first[1]!.params, { authorityCode: "W06000001" });
    first[1]!.pathname = "/elsewhere";
    first.pop();
    const again = matchRoutes(tree, "/returns/2026-12/W06000015")!;
    expect(ids(again)).toEqual(["root", "return"]);
    expect(again[1]!.params).toEqual({ collectionCode: "2026-12", authorityCode: "W06000015" });
    expect(again[1]!.pathname).toBe("/returns/2026-12/W06000015");
    // As in a fresh match, the matches of one branch share their params.
    expect(again[0]!.params).toBe(again[1]!.params);
  });

  it("keeps what it worked out for an array: its routes are not to be changed in place", () => {
    const tree = routes();
    expect(ids(matchRoutes(tree, "/returns/a/b"))).toEqual(["root", "return"]);
    tree[0]!.children![1]!.path = "forms/:collectionCode/:authorityCode";
    expect(ids(matchRoutes(tree, "/returns/a/b"))).toEqual(["root", "return"]);
    // A new array is worked out afresh.
    expect(ids(matchRoutes([...tree], "/forms/a/b"))).toEqual(["root", "return"]);
  });

  it("finds routes added while a navigation discovers them, as lazy route discovery adds them in the browser", async () => {
    const router = createRouter({
      routes: routes({ catchAll: false }),
      history: createMemoryHistory(),
      patchRoutesOnNavigation: ({ path, patch }) => {
        if (path === "/accessibility") patch("root", [{ id: "accessibility", path: "accessibility" }]);
      },
    }).initialize();
    await router.navigate("/accessibility");
    expect(router.state.matches.map((m) => m.route.id)).toEqual(["root", "accessibility"]);
    expect(router.state.errors).toBeNull();
    router.dispose();
  });
});
