/**
 * The machine API's returns: read the draft, replace it (If-Match = its lock version), and the
 * dry run. Values are saved through the return model's saveReturn, which checks them against the
 * one shared schema, exactly as the web form's are; submitting is left to a person in the browser.
 */
import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { returnDefinition } from "#app/models/collection.server.ts";
import { findReturn, flagBasis, saveReturn, workingValues, type ReturnScope } from "#app/models/return.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import { recordTokenUse } from "#app/models/api-token.server.ts";
import { findFlags, validateReturn, type CleanValue, type Problem, type RawReturn } from "#app/schema/return-values.ts";
import { DraftInputSchema, type ApiValue } from "#app/schema/api.ts";
import { pick, translator, type MessageKey } from "#app/i18n/i18n.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { apiJson, describeProblems, jsonPointer, problem, valuePointer } from "./problem.server.ts";
import type { TokenReturnGrant } from "./token.server.ts";

/** The largest body a return needs (every item with every note at its longest) is well under this. */
const MAX_BODY_BYTES = 256 * 1024;

export function toApiValue(value: CleanValue): ApiValue {
  return {
    state: value.state,
    number: value.number,
    reason: value.reason,
    ageFrom: value.ageFrom,
    ageTo: value.ageTo,
    referenceDate: value.referenceDateUsed,
    countingNote: value.countingNote,
    caveat: value.caveat,
    queryExplanation: value.queryExplanation,
  };
}

/** The draft as the API shows it: the working copy, its status and lock version (also the ETag). */
export async function draftDocument(db: Kysely<Database>, reader: Reader, scope: ReturnScope) {
  const [ret, values] = await Promise.all([findReturn(db, scope), workingValues(db, reader, scope)]);
  return {
    collection: scope.collection.code,
    authority: scope.authorityCode,
    status: ret?.status ?? null,
    lockVersion: ret?.lock_version ?? 0,
    values: Object.fromEntries(Object.entries(values).map(([code, v]) => [code, toApiValue(v)])),
  };
}

export const etag = (lockVersion: number) => `"${lockVersion}"`;

export async function getDraft({ db, reader, scope }: TokenReturnGrant) {
  const draft = await draftDocument(db, reader, scope);
  return apiJson(draft, { headers: { ETag: etag(draft.lockVersion) } });
}

/** A JSON body shaped like { values: { item: { field: ... } } }, as sent; anything else is refused here. */
async function readValues(request: Request, { lang }: TokenReturnGrant): Promise<RawReturn> {
  const type = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw problem(lang, "unsupportedMediaType");
  const text = await request.text().catch(() => null);
  if (text === null || text.length > MAX_BODY_BYTES) throw problem(lang, "badBody");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw problem(lang, "badBody");
  }
  const parsed = DraftInputSchema.safeParse(body);
  if (!parsed.success) {
    throw problem(lang, "badBody", { extra: { pointer: jsonPointer(parsed.error.issues[0]?.path ?? []) } });
  }
  // The values exactly as sent, not zod's copy of them: a copy would drop a key such as
  // "__proto__", and the shared schema must see every item the client named to refuse it.
  return (body as { values: RawReturn }).values;
}

function labelsOf(grant: TokenReturnGrant) {
  return Object.fromEntries(grant.collection.items.map((i) => [i.code, pick(grant.lang, i, "label")]));
}

/** The If-Match header as a lock version: "3", 3 or W/"3". */
function ifMatch(request: Request): number | null | "missing" {
  const header = request.headers.get("If-Match");
  if (header === null || header.trim() === "") return "missing";
  const match = /^(?:W\/)?"?(\d{1,10})"?$/.exec(header.trim());
  return match ? Number(match[1]) : null;
}

/** PUT: replaces the draft's values (items left out become blank), if nobody saved since If-Match. */
export async function putDraft(request: Request, grant: TokenReturnGrant) {
  const { db, reader, scope, lang, user } = grant;
  const basedOn = ifMatch(request);
  if (basedOn === "missing") throw problem(lang, "preconditionRequired");
  const raw = await readValues(request, grant);
  const path = new URL(request.url).pathname;
  const saved = await db.transaction().execute(async (trx) => {
    // An If-Match that is no lock version (null) meets the conflict any stale one would.
    const result = await saveReturn(trx, scope, { basedOn: basedOn ?? -1, raw, actor: actorOf(user) });
    if (result.ok) await recordTokenUse(trx, user, { method: "PUT", path, status: 200, authorityCode: scope.authorityCode });
    return result;
  });
  if (saved.ok) {
    const draft = await draftDocument(db, reader, scope);
    return apiJson({ ...draft, changed: saved.changed }, { headers: { ETag: etag(draft.lockVersion) } });
  }
  if (saved.reason === "invalid") {
    return problem(lang, "invalid", { extra: { errors: describeProblems(translator(lang), saved.problems, labelsOf(grant)) } });
  }
  if (saved.reason === "collectionNotOpen") return problem(lang, "collectionNotOpen");
  if (saved.reason === "notYetOpen") return problem(lang, "notYetOpen", { params: { opensOn: saved.opensOn } });
  const current = await draftDocument(db, reader, scope);
  if (saved.reason === "notEditable") return problem(lang, "notEditable", { params: { status: current.status ?? "" } });
  return problem(lang, "conflict", {
    params: { sent: request.headers.get("If-Match") ?? "", current: current.lockVersion },
    headers: { ETag: etag(current.lockVersion) },
    extra: { current },
  });
}

/** POST validate: every error and query at once, for a draft and for submitting; saves nothing. */
export async function validateDraft(request: Request, grant: TokenReturnGrant) {
  const { db, scope, lang, collection } = grant;
  const raw = await readValues(request, grant);
  const definition = returnDefinition(collection);
  const today = todayInWales();
  const draft = validateReturn(definition, raw, { mode: "draft", today });
  const submit = validateReturn(definition, raw, { mode: "submit", today });
  const t = translator(lang);
  const labels = labelsOf(grant);
  const key = (p: Problem) => `${p.itemCode}/${p.field}/${p.key}`;
  const blocksSave = new Set(draft.ok ? [] : draft.problems.map(key));
  const problems = submit.ok ? [] : submit.problems;
  const errors = describeProblems(t, problems, labels).map((e, i) => ({
    ...e,
    blocks: blocksSave.has(key(problems[i]!)) ? ("save" as const) : ("submit" as const),
  }));
  const flags = draft.ok ? findFlags(definition, draft.values, await flagBasis(db, scope)) : [];
  // The API's document names them "queries", as published; in the code they are flags.
  const described = flags.map((q) => ({
    pointer: valuePointer(q.itemCode),
    itemCode: q.itemCode,
    kind: q.kind,
    detail: t(`flag.explain.${q.kind}` as MessageKey, q.params),
    explained: Boolean(draft.ok && draft.values[q.itemCode]?.queryExplanation),
  }));
  return apiJson({
    savable: draft.ok,
    submittable: submit.ok && described.every((q) => q.explained),
    errors,
    queries: described,
  });
}
