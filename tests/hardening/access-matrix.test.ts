/**
 * The access matrix: every route of the production build's manifest, its loader and its action,
 * requested as each role, with real demo codes and with another authority's codes, checked against
 * the explicit table in route-table.ts. Refused actions must leave the database as it was; no page
 * an officer may open shows another authority's marker.
 */
import type { ServerBuild } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";
import { createCollection } from "#app/models/collection.server.ts";
import { inviteUser } from "#app/models/account.server.ts";
import { validateCollection } from "#app/schema/collection-form.ts";
import { useDemoDatabase } from "../support/database.ts";
import {
  anonymousCsrfPair,
  expectEveryValueAudited,
  fillPath,
  fullSnapshot,
  inProcessPortal,
  serverBuild,
  visitorFor,
} from "../support/hardening.ts";
import { ANALYST, COORDINATOR, get, OFFICER, run, type Visitor } from "../support/requests.ts";
import { CARDIFF, CLOSED_ROUND, DRAFT_ROUND, ITEM, marker, NEWPORT, OPEN_ROUND, prepareReturns, userId } from "./fixtures.ts";
import { outcomeOf, ROLES, ROUTE_TABLE, type CollectionStatus, type Role } from "./route-table.ts";

type Method = "loader" | "action";
type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

interface Variant {
  params: Record<string, string>;
  status: CollectionStatus | null;
  /** The authority whose officer is "own" for this address (Cardiff when the address names none). */
  own: string;
}

const COLLECTIONS: [string, CollectionStatus][] = [
  [OPEN_ROUND, "open"],
  [CLOSED_ROUND, "closed"],
  [DRAFT_ROUND, "draft"],
];
const OTHER = { [CARDIFF]: NEWPORT, [NEWPORT]: CARDIFF } as Record<string, string>;

describe("the access matrix: every route x every role, against the table", () => {
  const db = useDemoDatabase();
  let build: ServerBuild;
  let page: ReturnType<typeof inProcessPortal>;
  let ids: { officer: Record<string, number>; coordinator: number; coordinatorNotAdmin: number; analyst: number; target: number };
  let token: string;
  let uploads: Record<string, number>;

  beforeAll(async () => {
    build = await serverBuild();
    page = inProcessPortal(build);
    await prepareReturns(db());
    const coordinator = await userId(db(), COORDINATOR);
    // A coordinator who is not an admin, and an account for the admin pages to act on.
    const [notAdmin, target] = await db()
      .insertInto("app_user")
      .values([
        {
          email: "coordinator.two@adss-cymru.example",
          name: "Second Coordinator",
          role: "coordinator",
          is_admin: false,
          authority_code: null,
        },
        { email: "leaver@authorities.example", name: "Leaving Officer", role: "officer", authority_code: "W06000023" },
      ])
      .returning("id")
      .execute();
    const invited = await inviteUser(
      db(),
      { email: "new.analyst@gov-wales.example", name: "New Analyst", role: "analyst", authorityCode: null, language: "en" },
      { userId: coordinator, isAdmin: true },
      { baseUrl: "http://localhost" },
    );
    if (!invited.ok) throw new Error("could not invite");
    token = invited.token;
    const draft = validateCollection(
      {
        code: DRAFT_ROUND,
        title_en: "A draft round",
        title_cy: "Rownd ddrafft",
        guidance_en: "",
        guidance_cy: "",
        reference_date: "2027-03-31",
        opens_on: "2027-04-01",
        due_on: "2027-05-01",
        items: [{ code: ITEM, position: 1, required: true }],
        rules: "",
        changePercent: "50",
        changeAbsolute: "10",
      },
      [ITEM],
    );
    if (!draft.ok) throw new Error(`draft collection: ${JSON.stringify(draft.problems)}`);
    expect(await createCollection(db(), draft.draft, coordinator)).toEqual({ ok: true });
    // A stored workbook in each collection (not a readable one: applying it is refused and changes nothing).
    uploads = {};
    for (const [code] of COLLECTIONS) {
      const collection = await db().selectFrom("collection").select("id").where("code", "=", code).executeTakeFirstOrThrow();
      const bytes = new TextEncoder().encode(`not a workbook for ${code}`);
      const row = await db()
        .insertInto("import_upload")
        .values({ collection_id: collection.id, uploaded_by: coordinator, file_name: "returns.xlsx", bytes, sha256: "0".repeat(64) })
        .returning("id")
        .executeTakeFirstOrThrow();
      uploads[code] = row.id;
    }
    ids = {
      officer: { [CARDIFF]: await userId(db(), OFFICER.cardiff), [NEWPORT]: await userId(db(), OFFICER.newport) },
      coordinator,
      coordinatorNotAdmin: notAdmin!.id,
      analyst: await userId(db(), ANALYST),
      target: target!.id,
    };
  });

  function variantsOf(pattern: string): Variant[] {
    const names = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    let variants: Variant[] = [{ params: {}, status: null, own: CARDIFF }];
    const expand = (fill: (v: Variant) => Variant[]) => (variants = variants.flatMap(fill));
    for (const name of names) {
      if (name === "code" || name === "collectionCode") {
        expand((v) => COLLECTIONS.map(([code, status]) => ({ ...v, params: { ...v.params, [name]: code }, status })));
      } else if (name === "authorityCode") {
        // The real authority, and another authority's code in its place.
        expand((v) => [CARDIFF, NEWPORT].map((code) => ({ ...v, params: { ...v.params, [name]: code }, own: code })));
      } else if (name === "itemCode") {
        expand((v) => [{ ...v, params: { ...v.params, [name]: ITEM } }]);
      } else if (name === "userId") {
        expand((v) => [{ ...v, params: { ...v.params, [name]: String(ids.target) } }]);
      } else if (name === "uploadId") {
        // The upload stored in the collection the address names.
        expand((v) => [{ ...v, params: { ...v.params, [name]: String(uploads[v.params.code ?? ""]) } }]);
      } else if (name === "token") {
        expand((v) => [{ ...v, params: { ...v.params, [name]: token } }]);
      } else {
        throw new Error(`The access matrix does not know what to put in :${name} (${pattern}): teach it.`);
      }
    }
    return variants;
  }

  async function visitorAs(role: Role, own: string): Promise<Visitor | undefined> {
    switch (role) {
      case "anonymous":
        return undefined;
      case "officerOwn":
        return visitorFor(db(), ids.officer[own]!);
      case "officerOther":
        return visitorFor(db(), ids.officer[OTHER[own]!]!);
      default:
        return visitorFor(db(), ids[role]);
    }
  }

  it("gives every role exactly what the table says, on every route of the build, and a refusal changes nothing", async () => {
    const manifest = Object.entries(build.routes);
    const unlisted = manifest.map(([id]) => id).filter((id) => !ROUTE_TABLE[id]);
    expect(unlisted, "routes in the build that the access table does not list: add each to tests/hardening/route-table.ts").toEqual([]);
    const vanished = Object.keys(ROUTE_TABLE).filter((id) => !build.routes[id]);
    expect(vanished, "routes in the access table that the build no longer has").toEqual([]);

    const anonymousCsrf = await anonymousCsrfPair();
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let probes = 0;
    let loaderProbes = 0;
    let actionProbes = 0;

    for (const [id, route] of manifest) {
      const rule = ROUTE_TABLE[id]!;
      expect(route.path ?? "", `path of ${id}`).toBe(rule.path);
      const module = route.module as { loader?: RouteFn; action?: RouteFn };
      expect(Boolean(module.action), `${id}: the table ${rule.action ? "gives" : "does not give"} it an action`).toBe(Boolean(rule.action));
      expect(Boolean(module.loader), `${id}: the table ${rule.loader ? "gives" : "does not give"} it a loader`).toBe(Boolean(rule.loader));
      if (!module.loader) {
        // A page without a loader shows the same to everyone: rendered whole, for every role.
        for (const role of ROLES) {
          const visitor = await visitorAs(role, CARDIFF);
          const response = await page(get(fillPath(route.path, {}), visitor));
          probes++;
          loaderProbes++;
          if (response.status !== 200) mismatches.push(`page   /${route.path} as ${role}: expected 200, got ${response.status}`);
        }
        continue;
      }
      for (const variant of variantsOf(route.path ?? "")) {
        const path = fillPath(route.path, variant.params);
        for (const role of ROLES) {
          const methods: Method[] = ["loader", ...(module.action ? (["action"] as const) : [])];
          for (const method of methods) {
            const fn = module[method]!;
            const expected = outcomeOf(rule[method]![role], variant.status, id);
            const searches = method === "loader" ? ["", ...(rule.search ?? [])] : [""];
            for (const search of searches) {
              const visitor = await visitorAs(role, variant.own);
              const url = `${path}${search}`;
              const request = requestFor(method, url, visitor, rule.csrf === "anonymous" ? anonymousCsrf : null);
              const before = expected === "ok" ? null : await fullSnapshot(db());
              let got: string;
              let body = "";
              try {
                const outcome = await run(() => fn({ request, params: variant.params, context: { clientAddress: "192.0.2.7" } }));
                got = classify(outcome.status, outcome.kind === "response" ? outcome.location : null, url);
                if (outcome.kind === "data") body = JSON.stringify(outcome.data);
                else if (outcome.status < 300)
                  body = await outcome.response
                    .clone()
                    .text()
                    .catch(() => "");
              } catch (error) {
                got = `error (${(error as Error).message})`;
              }
              probes++;
              if (method === "loader") loaderProbes++;
              else actionProbes++;
              const where = `${method.padEnd(6)} ${url} as ${role}${variant.status ? ` (${variant.status} collection)` : ""}`;
              if (got !== expected) mismatches.push(`${where}: expected ${expected}, got ${got}`);
              if (before !== null && (await fullSnapshot(db())) !== before) mismatches.push(`${where}: refused, yet the database changed`);
              if (role === "officerOwn" || role === "officerOther") {
                const reader = role === "officerOwn" ? variant.own : OTHER[variant.own]!;
                const foreign = marker(OTHER[reader]!);
                if (body.includes(foreign)) leaks.push(`${where}: the officer of ${reader} was shown ${foreign}`);
              }
            }
          }
        }
      }
    }
    console.log(
      `access matrix: ${manifest.length} routes x ${ROLES.length} roles probed: ${probes} requests (${loaderProbes} loader, ${actionProbes} action)`,
    );
    expect(mismatches, "route x role outcomes that differ from the table").toEqual([]);
    expect(leaks, "another authority's data shown to an officer").toEqual([]);
    // The matrix did reach pages where each officer's own marker is shown: the leak check can fail.
    expect(probes).toBeGreaterThan(500);
  });

  it("shows each officer their own marker where they may read their return, so the leak check above is not vacuous", async () => {
    const route = build.routes["routes/returns.$collectionCode.$authorityCode.history"]!;
    for (const own of [CARDIFF, NEWPORT]) {
      const visitor = await visitorAs("officerOwn", own);
      const params = { collectionCode: OPEN_ROUND, authorityCode: own };
      const outcome = await run(() =>
        (route.module as { loader: RouteFn }).loader({ request: get(fillPath(route.path, params), visitor), params, context: {} }),
      );
      expect(outcome.kind === "data" && JSON.stringify(outcome.data)).toContain(marker(own));
    }
  });

  it("refuses ids of another authority's or another collection's records smuggled into a form, and changes nothing", async () => {
    const returnRoute = build.routes["routes/returns.$collectionCode.$authorityCode._index"]!.module as { action: RouteFn };
    const importRoute = build.routes["routes/collections.$code.import.$uploadId"]!.module as { action: RouteFn; loader: RouteFn };
    const [cardiff, newport, coordinator] = [
      await visitorFor(db(), ids.officer[CARDIFF]!),
      await visitorFor(db(), ids.officer[NEWPORT]!),
      await visitorFor(db(), ids.coordinator),
    ];
    const post = (visitor: Visitor, authority: string, fields: Record<string, string>) => {
      const params = { collectionCode: OPEN_ROUND, authorityCode: authority };
      const body = new URLSearchParams({ csrf: visitor.csrf, ...fields });
      const request = new Request(`http://localhost${fillPath("returns/:collectionCode/:authorityCode", params)}`, {
        method: "POST",
        body,
        headers: { Cookie: visitor.cookie, "Content-Type": "application/x-www-form-urlencoded" },
      });
      return run(() => returnRoute.action({ request, params, context: {} }));
    };
    // A coordinator's query on Newport's submitted return.
    expect(await post(coordinator, NEWPORT, { intent: "raise", itemCode: ITEM, message: "Is 271 right?" })).toMatchObject({ status: 302 });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const before = await fullSnapshot(db());
    const attempts = [
      // Cardiff's officer answers Newport's query through Cardiff's own return, or through Newport's.
      await post(cardiff, CARDIFF, { intent: "reply", queryId: String(query.id), message: "Hijacked" }),
      await post(cardiff, NEWPORT, { intent: "reply", queryId: String(query.id), message: "Hijacked" }),
      // Officers may not resolve, raise or accept, on any return.
      await post(newport, NEWPORT, { intent: "resolve", queryId: String(query.id), message: "" }),
      await post(newport, NEWPORT, { intent: "raise", itemCode: ITEM, message: "Self-query" }),
      await post(newport, NEWPORT, { intent: "accept", lockVersion: "1" }),
      // A coordinator resolving Newport's query through Cardiff's address.
      await post(coordinator, CARDIFF, { intent: "resolve", queryId: String(query.id), message: "" }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404]);
    // Another collection's stored workbook, through this collection's address.
    const params = { code: OPEN_ROUND, uploadId: String(uploads[CLOSED_ROUND]) };
    const url = `http://localhost${fillPath("collections/:code/import/:uploadId", params)}`;
    const read = await run(() =>
      importRoute.loader({ request: new Request(url, { headers: { Cookie: coordinator.cookie } }), params, context: {} }),
    );
    const apply = await run(() =>
      importRoute.action({
        request: new Request(url, {
          method: "POST",
          body: new URLSearchParams({ csrf: coordinator.csrf }),
          headers: { Cookie: coordinator.cookie, "Content-Type": "application/x-www-form-urlencoded" },
        }),
        params,
        context: {},
      }),
    );
    expect([read.status, apply.status]).toEqual([404, 404]);
    expect(await fullSnapshot(db())).toBe(before);
  });

  it("leaves every value the matrix's requests touched with its audit row", async () => {
    const { values } = await expectEveryValueAudited(db());
    expect(values).toBeGreaterThan(0);
  });
});

function requestFor(method: Method, url: string, visitor: Visitor | undefined, anonymous: { token: string; cookie: string } | null) {
  const cookies = [visitor?.cookie, anonymous?.cookie].filter(Boolean).join("; ");
  const headers: Record<string, string> = cookies ? { Cookie: cookies } : {};
  if (method === "loader") return new Request(`http://localhost${url}`, { headers });
  const body = new URLSearchParams();
  const csrf = anonymous ? anonymous.token : visitor?.csrf;
  if (csrf) body.append("csrf", csrf);
  return new Request(`http://localhost${url}`, {
    method: "POST",
    body,
    headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
  });
}

/** What the person got, in the table's words. */
function classify(status: number, location: string | null, url: string): string {
  if (status >= 500) return `${status}`;
  // Signing out ends at the sign-in page, with nowhere to return to: that is the sign-out working.
  if (location?.startsWith("/login") && location !== "/login") {
    const expected = `/login?returnTo=${encodeURIComponent(url)}`;
    return location === expected ? "login" : `a sign-in redirect to ${location} (expected ${expected})`;
  }
  if (status === 404) return "404";
  if (status === 401 || status === 403) return `${status}`;
  return "ok";
}
