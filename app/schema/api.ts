/**
 * The machine API's documents (issue 18), written once as zod schemas: the OpenAPI document is
 * generated from them (app/api/openapi.ts, zod's toJSONSchema), and the tests check every
 * response against that document.
 *
 * What a value may contain is not decided here: a PUT's values go, as sent, through the one
 * shared schema (return-values.ts validateReturn), as the form's and the upload's do. The value
 * schema below describes the wire format for readers of the document; the envelope schema only
 * checks that a body is shaped like one (an object of items, each an object of fields).
 */
import { z } from "zod";
import { COLLECTION_STATUSES, RETURN_STATUSES, VALUE_STATES } from "#db/types.ts";
import { CollectionRulesSchema } from "./collection-rules.ts";
import { LIMITS, VALUE_FIELDS } from "./return-values.ts";
import { TIDY_COLUMNS } from "#app/spreadsheets/tidy-table.ts";

/** The schemas the OpenAPI document names, each under its id in components.schemas. */
export const apiRegistry = z.registry<{ id: string; description?: string }>();

const isoDate = z.iso.date();
const itemCode = z.string().regex(/^[a-z0-9]+(_[a-z0-9]+)*$/);
const authorityCode = z.string().regex(/^W\d{8}$/);
const text = (max: number) => z.string().max(max).nullable();

export const ApiValueSchema = z
  .object({
    state: z.enum(VALUE_STATES).nullable().describe("reported (with a number), or why there is none; null: blank (a draft only)"),
    number: z.int().min(0).max(999_999_999).nullable().describe("A whole number, 0 or more, when the state is reported"),
    reason: text(LIMITS.reason).describe("Why there is no number: needed for every state but reported"),
    ageFrom: z.int().min(0).max(120).nullable().describe("An age band other than the item's standard one"),
    ageTo: z.int().min(0).max(120).nullable(),
    referenceDate: isoDate.nullable().describe("A reference date other than the collection's"),
    countingNote: text(LIMITS.countingNote).describe("Any other way the figure was counted differently"),
    caveat: text(LIMITS.caveat).describe("A note that travels with the value into every view and export"),
    queryExplanation: text(LIMITS.queryExplanation).describe("The answer to an automatic query, needed before submitting"),
  })
  .register(apiRegistry, {
    id: "Value",
    description: "One item's value. Send any field as a string as a person would type it; the same checks as the form apply.",
  });
export type ApiValue = z.infer<typeof ApiValueSchema>;

/** A PUT or validate body: every item of the return. Items left out are blank: a PUT replaces the draft. */
export const DraftInputSchema = z
  .object({
    values: z.record(
      z.string(),
      z.object(Object.fromEntries(VALUE_FIELDS.map((f) => [f, z.unknown().optional()]))).describe("The item's value (see Value)"),
    ),
  })
  .register(apiRegistry, { id: "DraftInput", description: "The values of a draft, by item code; items left out are blank." });

export const CollectionSummarySchema = z
  .object({
    code: z.string(),
    titleEn: z.string(),
    titleCy: z.string(),
    referenceDate: isoDate,
    opensOn: isoDate,
    dueOn: isoDate,
    status: z.enum(COLLECTION_STATUSES),
  })
  .register(apiRegistry, { id: "CollectionSummary" });

export const CollectionListSchema = z
  .object({ collections: z.array(CollectionSummarySchema) })
  .register(apiRegistry, { id: "CollectionList" });

export const CollectionItemSchema = z
  .object({
    code: itemCode,
    position: z.int(),
    required: z.boolean(),
    labelEn: z.string(),
    labelCy: z.string(),
    definitionEn: z.string(),
    definitionCy: z.string(),
    minValue: z.int(),
    maxValue: z.int().nullable(),
    ageFrom: z.int().nullable(),
    ageTo: z.int().nullable(),
    parentCode: itemCode.nullable(),
  })
  .register(apiRegistry, { id: "CollectionItem" });

export const CollectionDetailSchema = CollectionSummarySchema.extend({
  items: z.array(CollectionItemSchema),
  rules: CollectionRulesSchema,
}).register(apiRegistry, { id: "CollectionDetail", description: "A collection with its items and the rules its returns are checked by." });

export const DraftSchema = z
  .object({
    collection: z.string(),
    authority: authorityCode,
    status: z.enum(RETURN_STATUSES).nullable().describe("null: not started"),
    lockVersion: z.int().min(0).describe("Send it back as If-Match with the next PUT; also the ETag"),
    values: z.record(itemCode, ApiValueSchema),
  })
  .register(apiRegistry, { id: "Draft", description: "The working copy of one authority's return to one collection." });

export const DraftSavedSchema = DraftSchema.extend({
  changed: z.array(itemCode).describe("The items this PUT changed"),
}).register(apiRegistry, { id: "DraftSaved", description: "The draft after a PUT." });

export const ValueProblemSchema = z
  .object({
    pointer: z.string().describe("JSON pointer (RFC 6901) to the field in the request body"),
    itemCode: z.string(),
    field: z.enum(VALUE_FIELDS),
    code: z.string().describe("The message's stable code"),
    detail: z.string().describe("The form's message, in the token owner's language"),
  })
  .register(apiRegistry, { id: "ValueProblem" });

export const QueryFindingSchema = z
  .object({
    pointer: z.string(),
    itemCode: itemCode,
    kind: z.enum(["change", "outlier", "stoppedCollecting"]),
    detail: z.string(),
    explained: z.boolean().describe("Whether the value carries a queryExplanation, as submitting needs"),
  })
  .register(apiRegistry, { id: "Flag" });

export const ValidationReportSchema = z
  .object({
    savable: z.boolean().describe("No error stops saving these values as a draft"),
    submittable: z.boolean().describe("Nothing would stop a person submitting them in the browser"),
    errors: z.array(ValueProblemSchema.extend({ blocks: z.enum(["save", "submit"]) })),
    queries: z.array(QueryFindingSchema),
  })
  .register(apiRegistry, { id: "ValidationReport", description: "Every error and query at once: a dry run that saves nothing." });

export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(ValueProblemSchema).optional(),
    current: DraftSchema.optional().describe("On a conflict: the draft as it is now"),
  })
  .register(apiRegistry, { id: "Problem", description: "Problem details (RFC 9457), as application/problem+json." });

export const FigureRowSchema = z
  .object(
    Object.fromEntries(
      TIDY_COLUMNS.map((column) => {
        const cell = column === "value" || column === "ageFrom" || column === "ageTo" || column === "version" ? z.int() : z.string();
        return [column, column === "comparable" ? z.boolean().nullable() : cell.nullable()];
      }),
    ) as Record<(typeof TIDY_COLUMNS)[number], z.ZodNullable<z.ZodString | z.ZodInt | z.ZodBoolean>>,
  )
  .register(apiRegistry, { id: "FigureRow", description: "One row of the tidy table: an authority's latest submitted value of one item." });

export const CoverageSchema = z
  .object({
    itemCode: itemCode,
    regionCode: z.string().nullable().describe("null: the whole of Wales"),
    total: z.int().nullable().describe("The sum of comparable values; null when none, or when withheld from this reader"),
    withheld: z.boolean(),
    expected: z.int(),
    comparable: z.int(),
    nonComparable: z.int(),
    notCollected: z.int(),
    unknown: z.int(),
    notApplicable: z.int(),
    notAnswered: z.int(),
    noReturn: z.int(),
  })
  .register(apiRegistry, {
    id: "Coverage",
    description: "A total with how many authorities it is made of, and why the others are not in it.",
  });

export const FiguresSchema = z
  .object({ collection: z.string(), rows: z.array(FigureRowSchema), coverage: z.array(CoverageSchema) })
  .register(apiRegistry, { id: "Figures" });
