/**
 * The machine API (issue 18) driven through the production build's request handler against a real
 * database: tokens (scopes, expiry, revocation, the owner as they are now), isolation between
 * authorities, conflicts, problem details, validation parity with the web form, the throttle, and
 * the OpenAPI document (valid OpenAPI 3.1, and every endpoint's answers valid against it).
 */
import type { ServerBuild } from "@remix-run/node";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { openApiDocument } from "#app/api/openapi.server.ts";
import { createApiToken, THROTTLE } from "#app/models/api-token.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { pick, translate, translator } from "#app/i18n/i18n.ts";
import { CANNOT, problemText } from "#app/web/return-form.ts";
import { VALUE_FIELDS, type Problem } from "#app/schema/return-values.ts";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as tokensPage from "#app/routes/api-tokens._index.tsx";
import * as revokePage from "#app/routes/api-tokens.revoke.ts";
import { useDemoDatabase } from "../support/database.ts";
import { inProcessPortal, serverBuild } from "../support/hardening.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { formAnswers, rawReturn } from "../hardening/fixtures.ts";

const ROUND = "2026-12-care-experienced-parents";
const CLOSED = "2023-02-care-experienced-parents";
const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
const draftPath = (authority: string, collection = ROUND) => `/api/v1/returns/${collection}/${authority}/draft`;
const validatePath = (authority: string) => `/api/v1/returns/${ROUND}/${authority}/validate`;

/** A whole valid return, as the form fixture posts it and as an API client sends it. */
const VALID = rawReturn(ROUND, 120, undefined) as Record<string, Record<string, unknown>>;

/**
 * An API value as the form posts it: a number in the number box; any other state behind the
 * "I cannot give a number" box, with its reason; the date in three fields.
 */
function formFields(value: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  if (value.state !== undefined && value.state !== "reported") fields.cannot = CANNOT;
  for (const [name, raw] of Object.entries(value)) {
    if (raw === undefined || (name === "state" && raw === "reported")) continue;
    const text = String(raw);
    if (name === "referenceDate") [fields.refDay, fields.refMonth, fields.refYear] = text.split("/") as [string, string, string];
    else fields[name] = text;
  }
  return fields;
}

/**
 * One table of cases, run through both the API and the form: each replaces one or two items of a
 * valid return. (The form cannot say "a number" with the number box empty: an empty box is a
 * blank, where the API's `{"state": "reported"}` with no number is an error; such cases are not here.)
 */
const PARITY: { name: string; items: Record<string, Record<string, unknown>> }[] = [
  { name: "a decimal", items: { care_leavers_21_25: { state: "reported", number: "12.5" } } },
  { name: "a negative number", items: { care_leavers_21_25: { state: "reported", number: "-3" } } },
  { name: "words for a number", items: { care_leavers_21_25: { state: "reported", number: "twelve" } } },
  { name: "too many digits", items: { care_leavers_21_25: { state: "reported", number: "1234567890" } } },
  { name: "no reason", items: { children_reunification_plan: { state: "not_collected", reason: "" } } },
  { name: "an unknown state", items: { care_leavers_21_25: { state: "perhaps" } } },
  { name: "ages the wrong way round", items: { care_leavers_21_25: { state: "reported", number: "40", ageFrom: "30", ageTo: "21" } } },
  { name: "a reference date to come", items: { care_leavers_21_25: { state: "reported", number: "40", referenceDate: "31/12/2099" } } },
  { name: "a date that does not exist", items: { care_leavers_21_25: { state: "reported", number: "40", referenceDate: "31/2/2022" } } },
  { name: "a control character in a caveat", items: { care_leavers_21_25: { state: "reported", number: "40", caveat: "bell\u0007" } } },
  { name: "a reason too long", items: { children_reunification_plan: { state: "unknown", reason: "x".repeat(1001) } } },
  {
    name: "several at once",
    items: {
      care_leavers_21_25: { state: "reported", number: "-1" },
      children_reunification_plan: { state: "not_applicable", reason: "" },
    },
  },
];

/** Rules across items: a draft may break them for now; the form's check page and the dry run name them for submission. */
const RULE_PARITY: typeof PARITY = [
  {
    name: "breakdowns that do not add up",
    items: { care_experienced_mothers: { state: "reported", number: "9" }, care_experienced_fathers: { state: "reported", number: "3" } },
  },
  { name: "more removed than parents", items: { care_experienced_parents_child_removed: { state: "reported", number: "20" } } },
];

describe("the machine API", () => {
  const db = useDemoDatabase();
  let build: ServerBuild;
  let handle: ReturnType<typeof inProcessPortal>;
  let ids: { cardiff: number; newport: number; analyst: number; coordinator: number };
  let tokens: { cardiff: string; newport: string; analyst: string };
  let ajv: Ajv2020;

  async function userId(email: string) {
    return (await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
  }
  async function actorFor(id: number) {
    const u = await db()
      .selectFrom("app_user")
      .select(["id", "role", "is_admin as isAdmin", "authority_code as authorityCode"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return u;
  }
  async function newToken(owner: number, { maker = owner, lifetime = "90" as const, name = "Test system" } = {}) {
    const created = await createApiToken(db(), await actorFor(maker), { name, lifetime, ownerId: maker === owner ? null : owner });
    if (!created.ok) throw new Error("could not make a token");
    return created.token;
  }

  function api(path: string, token: string | null, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return handle(new Request(`http://localhost${path}`, { ...init, headers }));
  }
  function put(path: string, token: string, values: unknown, ifMatch: string | null = "0") {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (ifMatch !== null) headers["If-Match"] = ifMatch;
    return api(path, token, { method: "PUT", headers, body: JSON.stringify({ values }) });
  }
  function validate(authority: string, token: string, values: unknown) {
    return api(validatePath(authority), token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ values }),
    });
  }

  /** The body, checked against the OpenAPI document's schema for it. */
  async function conforms(response: Response, schema: string) {
    const body = (await response.json()) as unknown;
    const check = ajv.getSchema(`https://portal.test/openapi.json#/components/schemas/${schema}`)!;
    expect(check(body), `${schema}: ${JSON.stringify(check.errors)}`).toBe(true);
    return body as Record<string, unknown>;
  }
  async function problemOf(response: Response, status: number) {
    expect(response.status).toBe(status);
    expect(response.headers.get("Content-Type")).toContain("application/problem+json");
    const body = await conforms(response, "Problem");
    expect(body.status).toBe(status);
    return body as { type: string; title: string; detail: string; errors?: Record<string, unknown>[]; current?: Record<string, unknown> };
  }

  beforeAll(async () => {
    build = await serverBuild();
    handle = inProcessPortal(build);
    ids = {
      cardiff: await userId(OFFICER.cardiff),
      newport: await userId(OFFICER.newport),
      analyst: await userId(ANALYST),
      coordinator: await userId(COORDINATOR),
    };
    tokens = { cardiff: await newToken(ids.cardiff), newport: await newToken(ids.newport), analyst: await newToken(ids.analyst) };
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: "https://portal.test/openapi.json", components: (openApiDocument() as { components: unknown }).components });
  });

  describe("the OpenAPI document", () => {
    it("is valid OpenAPI 3.1, generated from the shared schemas, and served as JSON", async () => {
      const response = await api("/api/v1/openapi.json", null);
      expect(response.status).toBe(200);
      const doc = (await response.json()) as Record<string, unknown>;
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe("3.1");
      const schemas = (doc.components as { schemas: Record<string, { properties?: Record<string, unknown> }> }).schemas;
      expect(Object.keys(schemas.Value!.properties!)).toEqual([...VALUE_FIELDS]);
      expect(Object.keys(doc.paths as object).sort()).toEqual([
        "/collections",
        "/collections/{code}",
        "/collections/{code}/figures",
        "/returns/{collection}/{authority}/draft",
        "/returns/{collection}/{authority}/validate",
      ]);
    });

    it("has a reference page of our own, rendered from the document, with every operation and problem in Welsh too", async () => {
      const en = await (await handle(new Request("http://localhost/api/v1/docs"))).text();
      expect(en).toContain("GET /api/v1/collections");
      expect(en).toContain('id="problem-conflict"');
      expect(en).toContain(translate("en", "api.op.validateDraft"));
      expect(en).not.toMatch(/<script[^>]+src="https?:/);
      const cy = await (await handle(new Request("http://localhost/api/v1/docs", { headers: { Cookie: "lang=cy" } }))).text();
      expect(cy).toContain(translate("cy", "api.op.validateDraft"));
      expect(cy).toContain(translate("cy", "api.problem.invalid.title"));
      expect(cy).not.toContain(translate("en", "api.op.validateDraft"));
      // Types are expressions, not English words: "array of CollectionSummary" was on the Welsh page.
      expect(cy).toContain("CollectionSummary[]");
      expect(cy).not.toMatch(/\b(array|map) of\b/);
    });

    it("answers every endpoint as the document says", async () => {
      await conforms(await api("/api/v1/collections", tokens.analyst), "CollectionList");
      const detail = await conforms(await api(`/api/v1/collections/${ROUND}`, tokens.analyst), "CollectionDetail");
      expect((detail.items as unknown[]).length).toBeGreaterThan(5);
      await conforms(await api(`/api/v1/collections/${CLOSED}/figures`, tokens.analyst), "Figures");
      const draft = await api(draftPath(CARDIFF), tokens.cardiff);
      expect(draft.headers.get("ETag")).toMatch(/^"\d+"$/);
      await conforms(draft, "Draft");
      await conforms(await validate(CARDIFF, tokens.cardiff, VALID), "ValidationReport");
      const current = Number((await (await api(draftPath(CARDIFF), tokens.cardiff)).json()).lockVersion);
      await conforms(await put(draftPath(CARDIFF), tokens.cardiff, VALID, `"${current}"`), "DraftSaved");
      await problemOf(await api("/api/v1/collections", null), 401);
      await problemOf(await api(draftPath(NEWPORT), tokens.cardiff), 404);
      await problemOf(await put(draftPath(CARDIFF), tokens.cardiff, VALID, null), 428);
    });
  });

  describe("tokens", () => {
    it("stores only the token's hash, shows it once, and audits its making", async () => {
      const visitor = await signIn(db(), OFFICER.conwy);
      const outcome = await run(() =>
        tokensPage.action(routeArgs(post("/api-tokens", { name: "Conwy nightly", lifetime: "30", ownerId: "" }, visitor)) as never),
      );
      expect(outcome.kind).toBe("data");
      const token = (outcome as { data: { created: string } }).data.created;
      expect(token).toMatch(/^wdr_[A-Za-z0-9_-]{43}$/);
      const row = await db().selectFrom("api_token").selectAll().where("name", "=", "Conwy nightly").executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
      expect(JSON.stringify(row)).not.toContain(token.slice(4));
      expect(row.scope).toBe("returns:write");
      expect(row.authority_code).toBe("W06000003");
      expect(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()).toBe(30 * 86_400_000);
      const list = await run(() => tokensPage.loader(routeArgs(get("/api-tokens", visitor)) as never));
      const listed = JSON.stringify(list.kind === "data" ? list.data : null);
      expect(listed).toContain("Conwy nightly");
      expect(listed).not.toContain(token);
      const audit = await db()
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "api_token.create")
        .where("entity_key", "=", String(row.id))
        .execute();
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(token);
    });

    it("refuses a token form with no name or a lifetime beyond a year, making nothing", async () => {
      const visitor = await signIn(db(), OFFICER.cardiff);
      const before = await db().selectFrom("api_token").select("id").execute();
      for (const fields of [
        { name: "", lifetime: "90", ownerId: "" },
        { name: "Too long", lifetime: "400", ownerId: "" },
        { name: "x".repeat(101), lifetime: "90", ownerId: "" },
        // Only an admin makes a token for someone else.
        { name: "For Newport", lifetime: "90", ownerId: String(ids.newport) },
      ]) {
        const outcome = await run(() => tokensPage.action(routeArgs(post("/api-tokens", fields, visitor)) as never));
        expect(outcome.status, JSON.stringify(fields)).toBe(400);
      }
      expect(await db().selectFrom("api_token").select("id").execute()).toEqual(before);
    });

    it("lets an admin make a token for an authority's officer, which then fills in that authority's return only", async () => {
      const token = await newToken(ids.newport, { maker: ids.coordinator, name: "Newport's system" });
      expect((await api(draftPath(NEWPORT), token)).status).toBe(200);
      expect((await api(draftPath(CARDIFF), token)).status).toBe(404);
    });

    it("gives figures:read tokens to coordinators and analysts, and keeps them away from returns", async () => {
      const row = await db()
        .selectFrom("api_token")
        .select(["scope", "authority_code"])
        .where("owner_id", "=", ids.analyst)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ scope: "figures:read", authority_code: null });
      for (const authority of [CARDIFF, NEWPORT]) {
        expect((await api(draftPath(authority), tokens.analyst)).status).toBe(404);
        expect((await put(draftPath(authority), tokens.analyst, VALID)).status).toBe(404);
        expect((await validate(authority, tokens.analyst, VALID)).status).toBe(404);
      }
      expect((await api(`/api/v1/collections/${ROUND}/figures`, tokens.analyst)).status).toBe(200);
    });

    it("stops working when expired, revoked, or its owner is deactivated or moved, and never takes a session instead", async () => {
      const expired = await newToken(ids.cardiff, { name: "Expiring" });
      await db()
        .updateTable("api_token")
        .set({ created_at: new Date(Date.now() - 2 * 86_400_000), expires_at: new Date(Date.now() - 1000) })
        .where("name", "=", "Expiring")
        .execute();
      await problemOf(await api("/api/v1/collections", expired), 401);

      const revoked = await newToken(ids.cardiff, { name: "Revoked" });
      expect((await api("/api/v1/collections", revoked)).status).toBe(200);
      const visitor = await signIn(db(), OFFICER.cardiff);
      const row = await db().selectFrom("api_token").select("id").where("name", "=", "Revoked").executeTakeFirstOrThrow();
      // Newport's officer cannot revoke Cardiff's token.
      const newport = await signIn(db(), OFFICER.newport);
      const refused = await run(() =>
        revokePage.action(routeArgs(post("/api-tokens/revoke", { tokenId: String(row.id) }, newport)) as never),
      );
      expect(refused.status).toBe(404);
      expect((await api("/api/v1/collections", revoked)).status).toBe(200);
      const done = await run(() => revokePage.action(routeArgs(post("/api-tokens/revoke", { tokenId: String(row.id) }, visitor)) as never));
      expect(done).toMatchObject({ status: 302, location: "/api-tokens?revoked=1" });
      await problemOf(await api("/api/v1/collections", revoked), 401);
      expect(await db().selectFrom("audit_log").select("action").where("action", "=", "api_token.revoke").execute()).toHaveLength(1);

      // A session cookie opens nothing in the API.
      const signedIn: Visitor = await signIn(db(), OFFICER.cardiff);
      await problemOf(await handle(new Request(`http://localhost${draftPath(CARDIFF)}`, { headers: { Cookie: signedIn.cookie } })), 401);
      await problemOf(await api("/api/v1/collections", "wdr_not-a-token"), 401);

      // The owner as they are now: moved to another authority, then deactivated.
      const mover = await db()
        .insertInto("app_user")
        .values({ email: "mover@authorities.example", name: "Moving Officer", role: "officer", authority_code: NEWPORT })
        .returning("id")
        .executeTakeFirstOrThrow();
      const moverToken = await newToken(mover.id);
      expect((await api(draftPath(NEWPORT), moverToken)).status).toBe(200);
      await db().updateTable("app_user").set({ authority_code: CARDIFF }).where("id", "=", mover.id).execute();
      expect((await api(draftPath(NEWPORT), moverToken)).status).toBe(404);
      expect((await api(draftPath(CARDIFF), moverToken)).status).toBe(404);
      await db().updateTable("app_user").set({ active: false }).where("id", "=", mover.id).execute();
      await problemOf(await api("/api/v1/collections", moverToken), 401);
    });
  });

  describe("returns", () => {
    it("gives a token for one authority a 404 on every other authority's return, and changes nothing there", async () => {
      const authorities = await db().selectFrom("authority").select("code").where("code", "<>", CARDIFF).execute();
      expect(authorities).toHaveLength(21);
      const before = await db().selectFrom("value").selectAll().orderBy("return_id").orderBy("item_code").execute();
      for (const { code } of authorities) {
        const answers = [
          await api(draftPath(code), tokens.cardiff),
          await put(draftPath(code), tokens.cardiff, VALID),
          await validate(code, tokens.cardiff, VALID),
        ];
        expect(
          answers.map((a) => a.status),
          code,
        ).toEqual([404, 404, 404]);
      }
      // A collection that does not exist, and an authority code that cannot be one: the same 404.
      expect((await api(draftPath(CARDIFF, "no-such-round"), tokens.cardiff)).status).toBe(404);
      expect((await api(draftPath("W06%00"), tokens.cardiff)).status).toBe(404);
      expect(await db().selectFrom("value").selectAll().orderBy("return_id").orderBy("item_code").execute()).toEqual(before);
    });

    it("saves with If-Match, answers a stale one with 409 and the current values, and a missing one with 428", async () => {
      const first = (await (await api(draftPath(NEWPORT), tokens.newport)).json()) as { lockVersion: number };
      const saved = await put(draftPath(NEWPORT), tokens.newport, VALID, `"${first.lockVersion}"`);
      expect(saved.status).toBe(200);
      const body = (await saved.json()) as { lockVersion: number; values: Record<string, { number: number | null }> };
      expect(body.values.care_leavers_21_25!.number).toBe(120);
      expect(saved.headers.get("ETag")).toBe(`"${body.lockVersion}"`);

      // Someone saves in the browser meanwhile.
      const newport = await signIn(db(), OFFICER.newport);
      const browser = await run(() =>
        form.action(
          routeArgs(
            post(
              `/returns/${ROUND}/${NEWPORT}`,
              formAnswers({ care_leavers_21_25: { state: "reported", number: "130" } }, body.lockVersion),
              newport,
            ),
            {
              collectionCode: ROUND,
              authorityCode: NEWPORT,
            },
          ) as never,
        ),
      );
      expect(browser.status).toBe(302);

      const stale = await put(
        draftPath(NEWPORT),
        tokens.newport,
        { ...VALID, care_leavers_21_25: { state: "reported", number: 125 } },
        String(body.lockVersion),
      );
      const conflict = await problemOf(stale, 409);
      expect(conflict.type).toBe("/api/v1/docs#problem-conflict");
      const current = conflict.current as { lockVersion: number; values: Record<string, { number: number | null }> };
      expect(current.values.care_leavers_21_25!.number).toBe(130);
      expect(current.lockVersion).toBe(body.lockVersion + 1);
      expect(stale.headers.get("ETag")).toBe(`"${current.lockVersion}"`);

      await problemOf(await put(draftPath(NEWPORT), tokens.newport, VALID, null), 428);
      // An If-Match that cannot be a lock version meets the conflict it would.
      await problemOf(await put(draftPath(NEWPORT), tokens.newport, VALID, "abc"), 409);
      const after = (await (await api(draftPath(NEWPORT), tokens.newport)).json()) as { values: Record<string, { number: number | null }> };
      expect(after.values.care_leavers_21_25!.number).toBe(130);

      // A weak ETag as sent back by a client that keeps them.
      const again = await put(draftPath(NEWPORT), tokens.newport, VALID, `W/"${current.lockVersion}"`);
      expect(again.status).toBe(200);
      // Each change made with the token is on record, as its owner's, beside the value changes themselves.
      const uses = await db()
        .selectFrom("audit_log")
        .select(["actor_user_id", "after"])
        .where("action", "=", "api_token.use")
        .where("authority_code", "=", NEWPORT)
        .execute();
      expect(uses).toHaveLength(2);
      expect(uses.every((c) => c.actor_user_id === ids.newport)).toBe(true);
      expect(JSON.stringify(uses[0]!.after)).toContain(draftPath(NEWPORT));
    });

    it("refuses bodies that are not JSON shaped as a draft, and methods it does not take, never with a 500", async () => {
      const cases: [RequestInit, number][] = [
        [{ method: "PUT", headers: { "Content-Type": "text/plain", "If-Match": "0" }, body: "{}" }, 415],
        [{ method: "PUT", headers: { "Content-Type": "application/json", "If-Match": "0" }, body: "{not json" }, 400],
        [{ method: "PUT", headers: { "Content-Type": "application/json", "If-Match": "0" }, body: "[]" }, 400],
        [
          { method: "PUT", headers: { "Content-Type": "application/json", "If-Match": "0" }, body: '{"values":{"care_leavers_21_25":7}}' },
          400,
        ],
        [{ method: "PUT", headers: { "Content-Type": "application/json", "If-Match": "0" }, body: '{"values":{"no_such_item":{}}}' }, 422],
        [
          {
            method: "PUT",
            headers: { "Content-Type": "application/json", "If-Match": "0" },
            body: `{"values":{"care_leavers_21_25":{"caveat":"${"x".repeat(300_000)}"}}}`,
          },
          400,
        ],
        [{ method: "DELETE" }, 405],
        [{ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "a=1" }, 405],
      ];
      for (const [init, status] of cases) {
        const response = await api(draftPath(CARDIFF), tokens.cardiff, init);
        await problemOf(response, status);
      }
      const shaped = await problemOf(await api(draftPath(CARDIFF), tokens.cardiff, cases[3]![0]), 400);
      expect(shaped).toMatchObject({ pointer: "/values/care_leavers_21_25" });
    });

    it("answers an address under /api/ that no route has with a 404 problem, not the site's HTML page", async () => {
      for (const path of ["/api/v1/nothing", `/api/v1/returns/${ROUND}/${CARDIFF}`, "/api/v2/collections", "/api", "/API/V1/NOTHING"]) {
        const body = await problemOf(await api(path, tokens.cardiff), 404);
        expect(body, path).toMatchObject({ type: "/api/v1/docs#problem-notFound", title: "Not found" });
        const posted = await api(path, tokens.cardiff, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
        await problemOf(posted, 404);
      }
      const welsh = await problemOf(await api("/api/v1/nothing", null, { headers: { "Accept-Language": "cy" } }), 404);
      expect(welsh.title).toBe("Heb ei ganfod");
    });

    it("gives every error and query at once in the dry run, and saves nothing", async () => {
      const before = await db().selectFrom("value").selectAll().orderBy("return_id").orderBy("item_code").execute();
      const response = await validate(CARDIFF, tokens.cardiff, {
        ...VALID,
        care_leavers_21_25: { state: "reported", number: "-1" },
        children_reunification_plan: { state: "not_collected", reason: "" },
      });
      const report = (await response.json()) as { savable: boolean; submittable: boolean; errors: { pointer: string; blocks: string }[] };
      expect(report.savable).toBe(false);
      expect(report.submittable).toBe(false);
      expect(report.errors.map((e) => [e.pointer, e.blocks])).toEqual([
        ["/values/care_leavers_21_25/number", "save"],
        ["/values/children_reunification_plan/reason", "save"],
      ]);
      // A draft with blanks saves, but cannot be submitted.
      const blanks = (await (await validate(CARDIFF, tokens.cardiff, { care_leavers_21_25: { number: 5 } })).json()) as typeof report;
      expect(blanks.savable).toBe(true);
      expect(blanks.submittable).toBe(false);
      expect(blanks.errors.every((e) => e.blocks === "submit")).toBe(true);
      expect(blanks.errors.length).toBeGreaterThan(0);
      expect(await db().selectFrom("value").selectAll().orderBy("return_id").orderBy("item_code").execute()).toEqual(before);
    });

    it("flags a change from last round as a query to explain, as the form does", async () => {
      // Newport reported 271 care leavers in February 2023 (the demo data); a very different figure is queried.
      const response = await validate(NEWPORT, tokens.newport, { ...VALID, care_leavers_21_25: { state: "reported", number: "900" } });
      const report = (await response.json()) as {
        submittable: boolean;
        queries: { itemCode: string; kind: string; explained: boolean; detail: string }[];
      };
      const query = report.queries.find((q) => q.itemCode === "care_leavers_21_25");
      expect(query).toMatchObject({ kind: "change", explained: false });
      expect(query!.detail).toContain("900");
      expect(report.submittable).toBe(false);
    });

    it("refuses to save a draft before the round opens, saying when it opens", async () => {
      const { due_on } = await db().selectFrom("collection").select("due_on").where("code", "=", ROUND).executeTakeFirstOrThrow();
      const current = (await (await api(draftPath(NEWPORT), tokens.newport)).json()) as { lockVersion: number };
      await db().updateTable("collection").set({ opens_on: "2099-01-01", due_on: "2099-01-01" }).where("code", "=", ROUND).execute();
      try {
        const refused = await problemOf(await put(draftPath(NEWPORT), tokens.newport, VALID, String(current.lockVersion)), 409);
        expect(refused.type).toBe("/api/v1/docs#problem-notYetOpen");
        expect(refused.detail).toContain("2099-01-01");
      } finally {
        await db().updateTable("collection").set({ opens_on: "2026-11-16", due_on }).where("code", "=", ROUND).execute();
      }
    });

    it("answers in the token owner's language", async () => {
      await db().updateTable("app_user").set({ language: "cy" }).where("id", "=", ids.newport).execute();
      try {
        const response = await put(
          draftPath(NEWPORT),
          tokens.newport,
          { care_leavers_21_25: { state: "reported", number: "deuddeg" } },
          "999",
        );
        const body = await problemOf(response, 422);
        expect(body.title).toBe(translate("cy", "api.problem.invalid.title"));
        expect(response.headers.get("Content-Language")).toBe("cy");
        const collection = (await getCollection(db(), ROUND))!;
        const label = pick("cy", collection.items.find((i) => i.code === "care_leavers_21_25")!, "label");
        expect(body.errors![0]!.detail).toBe(translate("cy", "error.number.notANumber", { label }));
      } finally {
        await db().updateTable("app_user").set({ language: "en" }).where("id", "=", ids.newport).execute();
      }
    });

    // The same codes, fields and words (the shared schema's: the form rewords a few to name its own
    // controls, such as "I cannot give a number", which an API client does not have).
    it("gives the same errors, in the same words, as the form, case by case", async () => {
      const collection = (await getCollection(db(), ROUND))!;
      const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick("en", i, "label")]));
      const t = translator("en");
      const visitor = await signIn(db(), OFFICER.cardiff);
      const mismatches: string[] = [];
      for (const { name, items } of PARITY) {
        const values = { ...VALID, ...items };
        const fields: Record<string, string> = { lockVersion: "0", intent: "save" };
        for (const [code, value] of Object.entries(values)) {
          for (const [field, text] of Object.entries(formFields(value))) fields[`${code}.${field}`] = text;
        }
        const viaForm = await run(() =>
          form.action(
            routeArgs(post(`/returns/${ROUND}/${CARDIFF}`, fields, visitor), { collectionCode: ROUND, authorityCode: CARDIFF }) as never,
          ),
        );
        expect(viaForm.status, name).toBe(400);
        const formProblems = ((viaForm as { data: { problems: Problem[] } }).data.problems ?? []).map((p) => ({
          itemCode: p.itemCode,
          field: p.field,
          code: p.key,
          detail: problemText(t, p, labels),
        }));
        const viaApi = await problemOf(await put(draftPath(CARDIFF), tokens.cardiff, values, "0"), 422);
        const apiProblems = viaApi.errors!.map(({ itemCode, field, code, detail }) => ({ itemCode, field, code, detail }));
        expect(formProblems.length, name).toBeGreaterThan(0);
        if (JSON.stringify(apiProblems) !== JSON.stringify(formProblems)) {
          mismatches.push(`${name}: form ${JSON.stringify(formProblems)} / API ${JSON.stringify(apiProblems)}`);
        }
        for (const e of viaApi.errors!) expect(e.pointer).toBe(`/values/${e.itemCode}/${e.field}`);
      }
      expect(mismatches).toEqual([]);
    });

    it("holds a draft to the rules across items only at submission, in the same words through the form's check page and the dry run", async () => {
      const collection = (await getCollection(db(), ROUND))!;
      const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick("en", i, "label")]));
      const t = translator("en");
      const visitor = await signIn(db(), OFFICER.cardiff);
      const returnParams = { collectionCode: ROUND, authorityCode: CARDIFF };
      for (const { name, items } of RULE_PARITY) {
        const values = { ...VALID, ...items };
        const page = await run(() => form.loader(routeArgs(get(`/returns/${ROUND}/${CARDIFF}`, visitor), returnParams) as never));
        const fields: Record<string, string> = {
          lockVersion: String((page as { data: { lockVersion: number } }).data.lockVersion),
          intent: "save",
        };
        for (const [code, value] of Object.entries(values)) {
          for (const [field, text] of Object.entries(formFields(value))) fields[`${code}.${field}`] = text;
        }
        const viaForm = await run(() =>
          form.action(routeArgs(post(`/returns/${ROUND}/${CARDIFF}`, fields, visitor), returnParams) as never),
        );
        expect(viaForm.status, name).toBe(302);
        const checked = await run(() => check.loader(routeArgs(get(`/returns/${ROUND}/${CARDIFF}/check`, visitor), returnParams) as never));
        const formProblems = (checked as { data: { problems: Problem[] } }).data.problems.map((p) => ({
          itemCode: p.itemCode,
          field: p.field,
          code: p.key,
          detail: problemText(t, p, labels),
        }));
        const report = (await (await validate(CARDIFF, tokens.cardiff, values)).json()) as {
          savable: boolean;
          errors: { itemCode: string; field: string; code: string; detail: string; blocks: string }[];
        };
        expect(report.savable, name).toBe(true);
        expect(formProblems.length, name).toBeGreaterThan(0);
        expect(
          report.errors.map(({ itemCode, field, code, detail }) => ({ itemCode, field, code, detail })),
          name,
        ).toEqual(formProblems);
        expect(
          report.errors.every((e) => e.blocks === "submit"),
          name,
        ).toBe(true);
      }
    });

    it("reads figures through the owner's reader: an officer's token gets coverage, never another authority's unaccepted figure", async () => {
      const asOfficer = (await (await api(`/api/v1/collections/${ROUND}/figures`, tokens.cardiff)).json()) as {
        rows: { authorityCode: string }[];
        coverage: { withheld: boolean; total: number | null; regionCode: string | null }[];
      };
      expect(new Set(asOfficer.rows.map((r) => r.authorityCode))).toEqual(new Set([CARDIFF]));
      const asAnalyst = (await (await api(`/api/v1/collections/${ROUND}/figures`, tokens.analyst)).json()) as typeof asOfficer;
      expect(asAnalyst.rows.length).toBe(22 * asOfficer.rows.length);
      expect(asAnalyst.coverage.every((c) => !c.withheld)).toBe(true);
      for (const c of asOfficer.coverage) if (c.withheld) expect(c.total).toBeNull();

      const csv = await api(`/api/v1/collections/${CLOSED}/figures`, tokens.analyst, { headers: { Accept: "text/csv" } });
      expect(csv.headers.get("Content-Type")).toContain("text/csv");
      const lines = (await csv.text()).trim().split("\n");
      expect(lines.length).toBe(1 + 22 * (await getCollection(db(), CLOSED))!.items.length);
      const coverageCsv = await api(`/api/v1/collections/${CLOSED}/figures?table=coverage`, tokens.analyst, {
        headers: { Accept: "text/csv" },
      });
      expect((await coverageCsv.text()).split("\n")[0]).toContain("noReturn");
    });
  });

  it("throttles each token in the database: its own requests, counted exactly however many arrive at once", async () => {
    const fresh = await newToken(ids.analyst, { name: "Throttled" });
    const row = await db().selectFrom("api_token").select("id").where("name", "=", "Throttled").executeTakeFirstOrThrow();
    // Most of the window used up already, as another instance would have left it.
    await setWindow(db(), row.id, THROTTLE.requests - 5);
    const answers = await Promise.all(Array.from({ length: 12 }, () => api("/api/v1/collections", fresh)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const refused = answers.find((a) => a.status === 429)!;
    const retry = Number(refused.headers.get("Retry-After"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(THROTTLE.windowSeconds);
    await problemOf(refused, 429);
    // Another token is not held back by this one's flood.
    expect((await api("/api/v1/collections", tokens.analyst)).status).toBe(200);
    // A new window starts afresh.
    await db()
      .updateTable("api_token")
      .set({ window_started_at: new Date(Date.now() - (THROTTLE.windowSeconds + 1) * 1000) })
      .where("id", "=", row.id)
      .execute();
    expect((await api("/api/v1/collections", fresh)).status).toBe(200);
  });

  it("answers an error of its own as problem details, in the language asked for, with nothing saved", async () => {
    // The database refusing every write to the audit log, as a full disk would.
    await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'no space left on device'; end $$`.execute(
      db(),
    );
    await sql`create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit()`.execute(db());
    try {
      const before = await api(draftPath(NEWPORT), tokens.newport);
      const etag = before.headers.get("ETag")!;
      const response = await api(draftPath(NEWPORT), tokens.newport, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "If-Match": etag, "Accept-Language": "cy" },
        body: JSON.stringify({ values: VALID }),
      });
      const text = await response.clone().text();
      const body = await problemOf(response, 500);
      expect(body).toMatchObject({ type: "/api/v1/docs#problem-internal", title: translate("cy", "api.problem.internal.title") });
      // Nothing of the database's error, or of the code's, reaches the client.
      expect(text).not.toContain("no space left");
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      const after = await api(draftPath(NEWPORT), tokens.newport);
      expect(after.headers.get("ETag")).toBe(etag);
    } finally {
      await sql`drop trigger refuse_audit on audit_log`.execute(db());
      await sql`drop function refuse_audit()`.execute(db());
    }
  });
});

async function setWindow(db: Kysely<Database>, id: number, requests: number) {
  await db.updateTable("api_token").set({ window_started_at: new Date(), window_requests: requests }).where("id", "=", id).execute();
}
