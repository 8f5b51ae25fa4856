/**
 * The access matrix: every route of the production build's manifest, its loader and its action,
 * requested as each kind of visitor, with real demo codes and with another authority's codes,
 * checked against the app's own statement of who may do what (ROUTE_ACCESS and ABILITIES in
 * app/auth/policy.ts). Refused actions must leave the database as it was.
 *
 * Then the same with numbers: figures that appear nowhere else are planted in returns that were
 * submitted but never accepted, and every page, every `.data` response and every download an
 * officer of another authority can get is searched for them and for every total made with them.
 * Once the coordinator accepts them and lets officers compare a closed round, the same officer
 * does see them: the search can fail both ways.
 */
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ACCESS, type RouteAccess, type RouteId } from "#app/auth/policy.ts";
import { inviteUser } from "#app/models/account.server.ts";
import { changeCollectionStatus, createCollection, getCollection, setOfficersMayCompare } from "#app/models/collection.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { validateCollection } from "#app/schema/collection-form.ts";
import { useDemoDatabase } from "../support/database.ts";
import {
  anonymousCsrfPair,
  expectEveryValueAudited,
  fillPath,
  useInProcessPortal,
  visitorFor,
  visitorWithToken,
} from "../support/hardening.ts";
import { ANALYST, COORDINATOR, get, OFFICER, run, snapshot, visitorHeaders, type Visitor } from "../support/requests.ts";
import {
  CARDIFF,
  CLOSED_ROUND,
  DRAFT_ROUND,
  ITEM,
  marker,
  NEWPORT,
  OPEN_ROUND,
  PLANTED,
  POWYS,
  plantFigures,
  prepareReturns,
  userId,
  VALE,
} from "./fixtures.ts";
import { type CollectionStatus, expectedOutcome, PROBES, personOf, ROLES, type Role } from "./probes.ts";
import { giveSecondFactor } from "../support/two-factor.ts";

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

/** The app's access line of a route id of the build: undefined for a route the app does not list. */
function accessOf(id: string): RouteAccess | undefined {
  return (ROUTE_ACCESS as Record<string, RouteAccess>)[id];
}

/**
 * Every way to fill a manifest path's parameters: each collection (with its status), the address's
 * authority and another's in its place, and the values `fill` gives for the rest.
 */
function variantsOf(pattern: string, fill: Record<string, (v: Variant) => string[]>, collections = COLLECTIONS): Variant[] {
  const names = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  let variants: Variant[] = [{ params: {}, status: null, own: CARDIFF }];
  const expand = (each: (v: Variant) => Variant[]) => (variants = variants.flatMap(each));
  for (const name of names) {
    if (name === "code" || name === "collectionCode") {
      expand((v) => collections.map(([code, status]) => ({ ...v, params: { ...v.params, [name]: code }, status })));
    } else if (name === "authorityCode") {
      expand((v) =>
        (fill.authorityCode?.(v) ?? [CARDIFF, NEWPORT]).map((code) => ({ ...v, params: { ...v.params, [name]: code }, own: code })),
      );
    } else if (fill[name]) {
      expand((v) => fill[name]!(v).map((value) => ({ ...v, params: { ...v.params, [name]: value } })));
    } else {
      throw new Error(`The access matrix does not know what to put in :${name} (${pattern}): teach it.`);
    }
  }
  return variants;
}

describe("the access matrix: every route x every role, against the app's access table", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();
  let ids: { officer: Record<string, number>; coordinator: number; coordinatorNotAdmin: number; analyst: number; target: number };
  let token: string;
  let uploads: Record<string, number>;
  let threads: Record<string, number>;

  beforeAll(async () => {
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
    await giveSecondFactor(db(), notAdmin!.id);
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
        reference_date: { day: "31", month: "3", year: "2027" },
        opens_on: { day: "1", month: "4", year: "2027" },
        due_on: { day: "1", month: "5", year: "2027" },
        items: [{ code: ITEM, position: 1, required: true }],
        rules: [],
        changePercent: "50",
        changeAbsolute: "10",
        outlierScore: "3.5",
        outlierMinPeers: "5",
        smallCountMax: "4",
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
    // A coordinator's query on each submitted return, for the thread addresses (the returns stay "submitted").
    threads = {};
    for (const code of [OPEN_ROUND, CLOSED_ROUND]) {
      for (const authority of [CARDIFF, NEWPORT]) {
        const ret = await db()
          .selectFrom("return as r")
          .innerJoin("collection as c", "c.id", "r.collection_id")
          .select("r.id")
          .where("c.code", "=", code)
          .where("r.authority_code", "=", authority)
          .executeTakeFirstOrThrow();
        const query = await db()
          .insertInto("value_query")
          .values({ return_id: ret.id, item_code: ITEM, raised_by: coordinator, raised_at: new Date() })
          .returning("id")
          .executeTakeFirstOrThrow();
        await db()
          .insertInto("value_query_message")
          .values({ query_id: query.id, author_id: coordinator, at: new Date(), body: "Why?" })
          .execute();
        threads[`${code}/${authority}`] = query.id;
      }
    }
    ids = {
      officer: { [CARDIFF]: await userId(db(), OFFICER.cardiff), [NEWPORT]: await userId(db(), OFFICER.newport) },
      coordinator,
      coordinatorNotAdmin: notAdmin!.id,
      analyst: await userId(db(), ANALYST),
      target: target!.id,
    };
  });

  const fill: Record<string, (v: Variant) => string[]> = {
    itemCode: () => [ITEM],
    userId: () => [String(ids.target)],
    // The upload stored in the collection the address names.
    uploadId: (v) => [String(uploads[v.params.code ?? ""])],
    // The thread on the return the address names (none in the draft round, which nobody may open).
    queryId: (v) => [String(threads[`${v.params.collectionCode}/${v.params.authorityCode}`] ?? 1)],
    token: () => [token],
    emailId: () => ["1"],
  };

  async function visitorAs(role: Role, own: string): Promise<Visitor | undefined> {
    switch (role) {
      case "anonymous":
        return undefined;
      case "officerOwn":
        return visitorWithToken(db(), ids.officer[own]!);
      case "officerOther":
        return visitorWithToken(db(), ids.officer[OTHER[own]!]!);
      default:
        return visitorWithToken(db(), ids[role]);
    }
  }

  it("gives every role exactly what the app's table says, on every route of the build, and a refusal changes nothing", async () => {
    const manifest = Object.entries(portal.build.routes);
    const unlisted = manifest.map(([id]) => id).filter((id) => !accessOf(id));
    expect(unlisted, "routes in the build that the access table does not list: add each to ROUTE_ACCESS in app/auth/policy.ts").toEqual([]);
    const vanished = Object.keys(ROUTE_ACCESS).filter((id) => !portal.build.routes[id]);
    expect(vanished, "routes in the access table that the build no longer has").toEqual([]);

    const anonymousCsrf = await anonymousCsrfPair();
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let probes = 0;
    let loaderProbes = 0;
    let actionProbes = 0;

    for (const [id, route] of manifest) {
      const rule = accessOf(id)!;
      const probe = PROBES[id as RouteId] ?? {};
      const module = route.module as { loader?: RouteFn; action?: RouteFn };
      expect(Boolean(module.action), `${id}: the table ${rule.action ? "gives" : "does not give"} it an action`).toBe(Boolean(rule.action));
      expect(Boolean(module.loader), `${id}: the table ${rule.loader ? "gives" : "does not give"} it a loader`).toBe(Boolean(rule.loader));
      if (!module.loader) {
        // A page without a loader shows the same to everyone: rendered whole, for every role.
        for (const role of ROLES) {
          const visitor = await visitorAs(role, CARDIFF);
          const response = await portal.page(get(fillPath(route.path, {}), visitor));
          probes++;
          loaderProbes++;
          if (response.status !== 200) mismatches.push(`page   /${route.path} as ${role}: expected 200, got ${response.status}`);
        }
        continue;
      }
      for (const variant of variantsOf(route.path ?? "", fill)) {
        const path = fillPath(route.path, variant.params);
        for (const role of ROLES) {
          const methods: Method[] = ["loader", ...(module.action ? (["action"] as const) : [])];
          for (const method of methods) {
            const fn = module[method]!;
            const person = personOf(role, variant.own, OTHER[variant.own]!);
            const expected = expectedOutcome(rule[method]!, person, { authority: variant.own, status: variant.status });
            const searches = method === "loader" ? ["", ...(probe.search ?? [])] : [""];
            for (const search of searches) {
              const visitor = await visitorAs(role, variant.own);
              const url = `${path}${search}`;
              const request = requestFor(method, url, visitor, probe.csrf === "anonymous" ? anonymousCsrf : null);
              const before = expected === "ok" ? null : await snapshot(db());
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
              if (before !== null && (await snapshot(db())) !== before) mismatches.push(`${where}: refused, yet the database changed`);
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
    expect(probes).toBeGreaterThan(500);
    // 1,188 requests (the machine API's routes included): under a minute on an idle machine; 851 s
    // was seen with eight other suites beside it on two cores (load average 25).
  }, 1_200_000);

  it("shows each officer their own marker where they may read their return, so the leak check above is not vacuous", async () => {
    const route = portal.build.routes["routes/returns.$collectionCode.$authorityCode.history"]!;
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
    const importRoute = portal.build.routes["routes/collections.$code.import.$uploadId"]!.module as { action: RouteFn; loader: RouteFn };
    const [cardiff, newport, coordinator] = [
      await visitorFor(db(), ids.officer[CARDIFF]!),
      await visitorFor(db(), ids.officer[NEWPORT]!),
      await visitorFor(db(), ids.coordinator),
    ];
    /** A post to one of a return's action routes: "" the return itself, or queries/new, queries/<id>, accept. */
    const post = (visitor: Visitor, authority: string, page: string, fields: Record<string, string>) => {
      const pattern = { "": "", "queries/new": ".queries.new", accept: ".accept" }[page] ?? ".queries.$queryId";
      const route = portal.build.routes[`routes/returns.$collectionCode.$authorityCode${pattern || "._index"}`]!.module as {
        action: RouteFn;
      };
      const params: Record<string, string> = { collectionCode: OPEN_ROUND, authorityCode: authority };
      if (pattern === ".queries.$queryId") params.queryId = page.split("/")[1]!;
      const body = new URLSearchParams({ csrf: visitor.csrf, ...fields });
      const request = new Request(`http://localhost/returns/${OPEN_ROUND}/${authority}${page ? `/${page}` : ""}`, {
        method: "POST",
        body,
        headers: { Cookie: visitor.cookie, "Content-Type": "application/x-www-form-urlencoded" },
      });
      return run(() => route.action({ request, params, context: {} }));
    };
    // A coordinator's query on Newport's submitted return.
    expect(await post(coordinator, NEWPORT, "queries/new", { itemCode: ITEM, message: "Is 271 right?" })).toMatchObject({ status: 302 });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const thread = `queries/${query.id}`;
    const before = await snapshot(db());
    const attempts = [
      // Cardiff's officer answers Newport's query through Cardiff's own return, or through Newport's.
      await post(cardiff, CARDIFF, thread, { intent: "reply", message: "Hijacked" }),
      await post(cardiff, NEWPORT, thread, { intent: "reply", message: "Hijacked" }),
      // Officers may not resolve, raise or accept, on any return.
      await post(newport, NEWPORT, thread, { intent: "resolve", message: "" }),
      await post(newport, NEWPORT, "queries/new", { itemCode: ITEM, message: "Self-query" }),
      await post(newport, NEWPORT, "accept", { lockVersion: "1" }),
      // A coordinator resolving Newport's query through Cardiff's address.
      await post(coordinator, CARDIFF, thread, { intent: "resolve", message: "" }),
      // A coordinator may query and accept a return, never change its figures.
      await post(coordinator, NEWPORT, "", { intent: "save", lockVersion: "1", [`${ITEM}.state`]: "reported", [`${ITEM}.number`]: "5" }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
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
    expect(await snapshot(db())).toBe(before);
  });

  it("leaves every value the matrix's requests touched with its audit row", async () => {
    const { values } = await expectEveryValueAudited(db());
    expect(values).toBeGreaterThan(0);
  });
});

/** A number as the portal may write it: plain in data and files, grouped in pages (7,919), never inside a longer number. */
function numberPattern(n: number) {
  const forms = [...new Set([String(n), n.toLocaleString("en-GB")])].map((form) => form.replace(/[.,]/g, "\\$&"));
  return new RegExp(`(?<![\\w.])(?:${forms.join("|")})(?!\\w|\\.\\d)`);
}

/** A rate per 10,000 as a page rounds it (600.2) or as data carries it (600.165...). */
function ratePattern(figure: number, population: number) {
  const rate = (figure * 10_000) / population;
  const truncated = (Math.floor(rate * 100) / 100).toFixed(2);
  return new RegExp(`(?<![\\w.])(?:${rate.toFixed(1).replace(".", "\\.")}(?!\\d)|${truncated.replace(".", "\\.")})`);
}

/** Census 2021 usual residents, the demo's denominator (seeds/data/authorities.csv). */
const POPULATION = { [VALE]: 131_947, [POWYS]: 133_174 };
const { open, closed } = PLANTED;
/** What the fixtures give Newport and Cardiff (fixtures.ts prepareReturns, rawReturn) and the other 14 authorities in February 2023. */
const NEWPORT_OPEN = 271;
const CARDIFF_OPEN = 120;
const CARDIFF_CLOSED = 95;
/** The comparable figures of February 2023 (aggregation.test.ts), with Powys's 46 and the Vale's 7 among them. */
const FEBRUARY_2023_TOTAL = 926;
const OTHERS_PARENTS = 10;
const OTHERS_MOTHERS = 7;

interface Forbidden {
  what: string;
  pattern: RegExp;
  /** The total also holds Cardiff's open-round figure, which stays a draft: Newport's officer never sees it. */
  withCardiffsDraft?: true;
}

/** The planted open-round figures, their rates, and every total made with them. */
const OPEN_FIGURES: Forbidden[] = [
  { what: "the Vale's care leavers", pattern: numberPattern(open.vale.leavers) },
  { what: "the Vale's parents", pattern: numberPattern(open.vale.parents) },
  { what: "the Vale's mothers", pattern: numberPattern(open.vale.mothers) },
  { what: "the Vale's recent parents (also Wales's and the region's total)", pattern: numberPattern(open.vale.recent) },
  { what: "Powys's care leavers (also the Powys region's total)", pattern: numberPattern(open.powys.leavers) },
  { what: "the Vale's rate of care leavers", pattern: ratePattern(open.vale.leavers, POPULATION[VALE]) },
  { what: "the Vale's rate of parents", pattern: ratePattern(open.vale.parents, POPULATION[VALE]) },
  { what: "the Vale's rate of recent parents", pattern: ratePattern(open.vale.recent, POPULATION[VALE]) },
  { what: "Powys's rate of care leavers", pattern: ratePattern(open.powys.leavers, POPULATION[POWYS]) },
  {
    what: "the Wales total of care leavers",
    pattern: numberPattern(NEWPORT_OPEN + CARDIFF_OPEN + open.vale.leavers + open.powys.leavers),
    withCardiffsDraft: true,
  },
  { what: "Cardiff and Vale's total of care leavers", pattern: numberPattern(CARDIFF_OPEN + open.vale.leavers), withCardiffsDraft: true },
  { what: "the Wales total of parents", pattern: numberPattern(3 * OTHERS_PARENTS + open.vale.parents), withCardiffsDraft: true },
  { what: "Cardiff and Vale's total of parents", pattern: numberPattern(OTHERS_PARENTS + open.vale.parents), withCardiffsDraft: true },
  { what: "the Wales total of mothers", pattern: numberPattern(3 * OTHERS_MOTHERS + open.vale.mothers), withCardiffsDraft: true },
  { what: "Cardiff and Vale's total of mothers", pattern: numberPattern(OTHERS_MOTHERS + open.vale.mothers), withCardiffsDraft: true },
];

/** The planted closed-round figures, their rates, and every total made with them. */
const CLOSED_FIGURES: Forbidden[] = [
  { what: "the Vale's care leavers in February 2023", pattern: numberPattern(closed.vale.leavers) },
  { what: "Powys's care leavers in February 2023 (also the Powys region's)", pattern: numberPattern(closed.powys.leavers) },
  { what: "the Vale's rate in February 2023", pattern: ratePattern(closed.vale.leavers, POPULATION[VALE]) },
  { what: "Powys's rate in February 2023", pattern: ratePattern(closed.powys.leavers, POPULATION[POWYS]) },
  {
    what: "the Wales total of February 2023",
    pattern: numberPattern(FEBRUARY_2023_TOTAL - 46 - 7 + CARDIFF_CLOSED + closed.vale.leavers + closed.powys.leavers),
  },
  { what: "Cardiff and Vale's total of February 2023", pattern: numberPattern(CARDIFF_CLOSED + closed.vale.leavers) },
];

describe("the access matrix with numbers: figures planted in one authority, looked for in every response another officer gets", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();
  let items: string[];

  beforeAll(async () => {
    await prepareReturns(db());
    await plantFigures(db());
    items = (await getCollection(db(), OPEN_ROUND))!.items.map((i) => i.code);
  });

  /**
   * Every address of the build the officer may open (the matrix above holds the others to their
   * refusal), each as a page and as its `.data` response, read as text.
   */
  async function everyResponse(authority: string) {
    const visitor = await officer(authority);
    const person = { role: "officer" as const, authorityCode: authority };
    const responses = new Map<string, string>();
    const fill: Record<string, (v: Variant) => string[]> = {
      authorityCode: () => [CARDIFF, NEWPORT, VALE, POWYS],
      itemCode: () => items,
      userId: () => [String(visitor.userId)],
      uploadId: () => ["1"],
      queryId: () => ["1"],
      token: () => ["not-a-real-invitation-token"],
      emailId: () => ["1"],
    };
    const published = COLLECTIONS.filter(([, status]) => status !== "draft");
    for (const [id, route] of Object.entries(portal.build.routes)) {
      const access = accessOf(id)?.loader;
      if (!access || !(route.module as { loader?: unknown }).loader) continue;
      for (const variant of variantsOf(route.path ?? "", fill, published)) {
        const at = { authority: variant.params.authorityCode ?? authority, status: variant.status };
        if (expectedOutcome(access, person, at) !== "ok") continue;
        const path = fillPath(route.path, variant.params);
        for (const search of ["", ...(PROBES[id as RouteId]?.search ?? [])]) {
          const data = `${path === "/" ? "/_root" : path}.data${search}`;
          for (const url of [`${path}${search}`, data]) responses.set(url, await bodyText(await portal.page(get(url, visitor))));
        }
      }
    }
    return responses;
  }

  async function officer(authority: string) {
    const email = authority === CARDIFF ? OFFICER.cardiff : OFFICER.newport;
    // With an API token of their own: the machine API's figures are searched as well.
    return visitorWithToken(db(), await userId(db(), email));
  }

  function shown(responses: Map<string, string>, figures: Forbidden[]) {
    return figures.flatMap(({ what, pattern }) =>
      [...responses].filter(([, body]) => pattern.test(body)).map(([url, body]) => `${what} (${body.match(pattern)![0]}) at ${url}`),
    );
  }
  function neverShown(responses: Map<string, string>, figures: Forbidden[]) {
    return figures.filter(({ pattern }) => ![...responses.values()].some((body) => pattern.test(body))).map((f) => f.what);
  }

  it("shows no officer another authority's unaccepted figure, nor any total, rate or trend made with one", async () => {
    for (const authority of [CARDIFF, NEWPORT]) {
      const responses = await everyResponse(authority);
      console.log(`planted figures: ${responses.size} responses (pages, .data, downloads) searched as the officer of ${authority}`);
      expect(responses.size).toBeGreaterThan(100);
      expect(shown(responses, [...OPEN_FIGURES, ...CLOSED_FIGURES]), `shown to the officer of ${authority}`).toEqual([]);
    }
  }, 180_000);

  it("shows them once the round is closed, the figures accepted and comparison allowed, round by round", async () => {
    const coordinator = await userId(db(), COORDINATOR);
    const actor = { userId: coordinator, role: "coordinator" as const, authorityCode: null };
    const acceptAll = async (code: string) => {
      const collection = (await getCollection(db(), code))!;
      const submitted = await db()
        .selectFrom("return")
        .select(["authority_code", "lock_version"])
        .where("collection_id", "=", collection.id)
        .where("status", "=", "submitted")
        .execute();
      for (const ret of submitted) {
        const accepted = await acceptReturn(db(), { collection, authorityCode: ret.authority_code }, { basedOn: ret.lock_version, actor });
        expect(accepted, `${code} ${ret.authority_code}`).toEqual({ ok: true });
      }
      await setOfficersMayCompare(db(), collection, true, coordinator);
    };

    // February 2023, the closed round, first: its figures and totals appear; the open round's do not.
    await acceptAll(CLOSED_ROUND);
    const february = await everyResponse(CARDIFF);
    expect(neverShown(february, CLOSED_FIGURES), "not shown to the officer of Cardiff").toEqual([]);
    expect(shown(february, OPEN_FIGURES), "shown to the officer of Cardiff while the round is open").toEqual([]);

    // Then the December 2026 round, closed. Cardiff's return there is an amendment in progress,
    // never accepted: its own officer sees every total, Newport's none that holds Cardiff's figure.
    await expect(changeCollectionStatus(db(), (await getCollection(db(), OPEN_ROUND))!, "close", coordinator)).resolves.toEqual({
      ok: true,
    });
    await acceptAll(OPEN_ROUND);
    const cardiff = await everyResponse(CARDIFF);
    expect(neverShown(cardiff, [...OPEN_FIGURES, ...CLOSED_FIGURES]), "not shown to the officer of Cardiff").toEqual([]);
    const newport = await everyResponse(NEWPORT);
    expect(
      neverShown(
        newport,
        OPEN_FIGURES.filter((f) => !f.withCardiffsDraft),
      ),
      "not shown to the officer of Newport",
    ).toEqual([]);
    expect(
      shown(
        newport,
        OPEN_FIGURES.filter((f) => f.withCardiffsDraft),
      ),
      "totals holding Cardiff's unaccepted figure, shown to the officer of Newport",
    ).toEqual([]);
  }, 180_000);
});

/** A response's body as text: a workbook's cells, read back; anything else as it came. */
async function bodyText(response: Response) {
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("spreadsheetml")) return response.text();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await response.arrayBuffer());
  const cells: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => cells.push(JSON.stringify(row.values))));
  return cells.join("\n");
}

function requestFor(method: Method, url: string, visitor: Visitor | undefined, anonymous: { token: string; cookie: string } | null) {
  const cookies = [visitor?.cookie, anonymous?.cookie].filter(Boolean).join("; ");
  const headers: Record<string, string> = { ...visitorHeaders(visitor), ...(cookies ? { Cookie: cookies } : {}) };
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
