import { describe, expect, it } from "vitest";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { loader as collectionLoader } from "#app/routes/collections.$code._index.tsx";
import { loader as languageLoader } from "#app/routes/language.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, run, signIn, type Visitor } from "../support/requests.ts";

let visitor: Visitor | undefined;
const args = (path: string, params: Record<string, string> = {}) => ({
  request: get(path, visitor),
  params,
  context: {},
});

describe("pages that show what the database holds", () => {
  const db = useDemoDatabase();

  it("sends anyone not signed in to sign in", async () => {
    visitor = undefined;
    expect(await run(() => homeLoader(args("/") as never))).toMatchObject({ kind: "response", location: "/login?returnTo=%2F" });
    expect(await run(() => collectionLoader(args("/collections/x", { code: "2023-02-care-experienced-parents" }) as never))).toMatchObject({
      kind: "response",
      status: 302,
    });
  });

  it("the home page lists the published collections, newest first", async () => {
    visitor = await signIn(db(), COORDINATOR);
    const data = await homeLoader(args("/"));
    expect(data.collections.map((c) => c.code)).toEqual(["2026-12-care-experienced-parents", "2023-02-care-experienced-parents"]);
  });

  it("the collection page gives each item's Wales total with its coverage, and all 22 authorities", async () => {
    const data = await collectionLoader(args("/collections/x", { code: "2023-02-care-experienced-parents" }));
    expect(data.walesTotals.map((t) => [t.itemCode, t.total, t.comparable, t.nonComparable, t.notCollected, t.noReturn])).toEqual([
      ["care_leavers_21_25", 926, 12, 3, 0, 7],
      ["care_experienced_parents", null, 0, 1, 14, 7],
      ["care_experienced_parents_child_removed", null, 0, 0, 15, 7],
    ]);
    expect(data.authorities).toHaveLength(22);
    expect(Object.values(data.cells).map((row) => row.length)).toEqual(Array(22).fill(3));
  });

  it("shows an officer the coverage of the Wales totals, whose figures they may not see, and only their own authority's figures", async () => {
    visitor = await signIn(db(), OFFICER.conwy);
    const data = await collectionLoader(args("/collections/x", { code: "2023-02-care-experienced-parents" }));
    expect(data.walesTotals[0]).toMatchObject({ total: null, withheld: true, comparable: 12 });
    expect(data.authorities.map((a) => a.code)).toEqual(["W06000003"]);
    expect(Object.keys(data.cells)).toEqual(["W06000003"]);
    visitor = await signIn(db(), COORDINATOR);
  });

  it("shows an officer their own returns on the home page: open first, closed below", async () => {
    visitor = await signIn(db(), OFFICER.conwy);
    const data = await homeLoader(args("/"));
    expect(data.officer?.returns.map((r) => [r.code, r.collectionStatus, r.returnStatus, r.submittedVersion])).toEqual([
      ["2026-12-care-experienced-parents", "open", null, null],
      ["2023-02-care-experienced-parents", "closed", "submitted", 1],
    ]);
    visitor = await signIn(db(), COORDINATOR);
  });

  it("an unknown collection is a 404, not an error", async () => {
    const thrown: unknown = await collectionLoader(args("/collections/nope", { code: "nope" })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(404);
  });

  it("the language switch keeps the choice in a cookie and returns only to this site", async () => {
    const response = await languageLoader(args("/language?lang=cy&returnTo=%2Fcollections%2Fx"));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/collections/x");
    expect(response.headers.get("Set-Cookie")).toMatch(/^lang=cy;.*HttpOnly/);
    const offsite = await languageLoader(args("/language?lang=en&returnTo=%2F%2Fevil.example"));
    expect(offsite.headers.get("Location")).toBe("/");
  });
});
