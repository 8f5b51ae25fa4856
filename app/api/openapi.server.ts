/**
 * The OpenAPI 3.1 document of the machine API, generated from the zod schemas of
 * app/schema/api.ts (zod 4's toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses it); only the
 * paths are written here. Served at /api/v1/openapi.json; the reference page renders it.
 */
import { z } from "zod";
import { apiRegistry } from "#app/schema/api.ts";
import { translator } from "#app/i18n/i18n.ts";
import { PROBLEM_KINDS } from "./problem-kinds.ts";
import { problemType } from "./problem.server.ts";

/** The operations' summaries are the catalogue's, so the reference page can give them in Welsh too. */
const en = translator("en");

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ "application/json": { schema: ref(id) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });

const REFUSALS = {
  "401": problem("No live token: missing, unknown, expired or revoked, or its owner's account is closed"),
  "404": problem("No such address, or not one this token may use (another authority's return)"),
  "429": {
    ...problem("Too many requests for this token: wait for the number of seconds in Retry-After"),
    headers: { "Retry-After": { schema: { type: "integer" } } },
  },
};

/** A body is refused before it is read: too big (the detail says the limit), or sent in chunks with no length. */
const BODY_REFUSALS = {
  "411": problem("The body was sent in chunks without Content-Length"),
  "413": problem("The body is over the size limit the problem's detail gives; nothing was read"),
};

const collectionCode = { name: "code", in: "path", required: true, schema: { type: "string" }, description: "The collection's code" };
const returnParams = [
  { name: "collection", in: "path", required: true, schema: { type: "string" }, description: "The collection's code" },
  { name: "authority", in: "path", required: true, schema: { type: "string" }, description: "The authority's ONS code (W06…)" },
];

function components() {
  const generated = z.toJSONSchema(apiRegistry, {
    target: "draft-2020-12",
    io: "output",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const schemas: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

let cached: Json | null = null;

export function openApiDocument(): Json {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Care experience data returns: machine API",
      version: "1.0.0",
      description:
        "Fill and check drafts of your authority's returns from your own systems, and read figures from scripts. " +
        "The same validation and access policy as the web forms; submitting stays a person's act in the browser. " +
        "Errors are problem details (RFC 9457). Make a token at /api-tokens.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    tags: [{ name: "collections" }, { name: "returns" }],
    paths: {
      "/collections": {
        get: {
          tags: ["collections"],
          operationId: "listCollections",
          summary: en("api.op.listCollections"),
          responses: { "200": { description: "The collections", content: json("CollectionList") }, ...REFUSALS },
        },
      },
      "/collections/{code}": {
        get: {
          tags: ["collections"],
          operationId: "getCollection",
          summary: en("api.op.getCollection"),
          parameters: [collectionCode],
          responses: { "200": { description: "The collection", content: json("CollectionDetail") }, ...REFUSALS },
        },
      },
      "/collections/{code}/figures": {
        get: {
          tags: ["collections"],
          operationId: "getFigures",
          summary: en("api.op.getFigures"),
          description:
            "Only the figures the token's owner may see: an officer sees another authority's figure, or a total holding one, " +
            "only once the round is closed, the figure accepted and comparison allowed; otherwise the coverage only.",
          parameters: [
            collectionCode,
            {
              name: "table",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["values", "coverage"] },
              description: "With Accept: text/csv, which table (the tidy values by default)",
            },
          ],
          responses: {
            "200": {
              description: "The figures",
              content: { ...json("Figures"), "text/csv": { schema: { type: "string" } } },
            },
            ...REFUSALS,
          },
        },
      },
      "/returns/{collection}/{authority}/draft": {
        parameters: returnParams,
        get: {
          tags: ["returns"],
          operationId: "getDraft",
          summary: en("api.op.getDraft"),
          responses: {
            "200": { description: "The draft", headers: { ETag: { schema: { type: "string" } } }, content: json("Draft") },
            ...REFUSALS,
          },
        },
        put: {
          tags: ["returns"],
          operationId: "putDraft",
          summary: en("api.op.putDraft"),
          parameters: [
            {
              name: "If-Match",
              in: "header",
              required: true,
              schema: { type: "string" },
              description: "The lock version the values are based on (the ETag of a GET; 0 before the first save)",
            },
          ],
          requestBody: { required: true, content: json("DraftInput") },
          responses: {
            "200": { description: "Saved", headers: { ETag: { schema: { type: "string" } } }, content: json("DraftSaved") },
            "400": problem("The body is not JSON shaped as DraftInput"),
            "409": problem("Someone saved since If-Match (the draft as it is now is in `current`), or the return is not a draft"),
            "415": problem("The body is not application/json"),
            "422": problem("Values the form would refuse: each in `errors`, with a JSON pointer and the form's words"),
            "428": problem("If-Match is missing"),
            ...BODY_REFUSALS,
            ...REFUSALS,
          },
        },
      },
      "/returns/{collection}/{authority}/validate": {
        parameters: returnParams,
        post: {
          tags: ["returns"],
          operationId: "validateDraft",
          summary: en("api.op.validateDraft"),
          requestBody: { required: true, content: json("DraftInput") },
          responses: {
            "200": { description: "The report", content: json("ValidationReport") },
            "400": problem("The body is not JSON shaped as DraftInput"),
            "415": problem("The body is not application/json"),
            ...BODY_REFUSALS,
            ...REFUSALS,
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token, made at /api-tokens" } },
      schemas: components(),
    },
    "x-problem-types": PROBLEM_KINDS.map((kind) => problemType(kind)),
  };
  return cached;
}
