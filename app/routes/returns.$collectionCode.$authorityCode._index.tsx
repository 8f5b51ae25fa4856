import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AcceptReturn } from "#app/components/accept-return.tsx";
import { ErrorSummary, NotificationBanner, Table } from "#app/components/govuk.tsx";
import { RaiseQuery } from "#app/components/raise-query.tsx";
import { ReturnSummary } from "#app/components/return-summary.tsx";
import { DefaultButton, ValueFieldset } from "#app/components/value-fieldset.tsx";
import { ReturnUpload } from "#app/components/workbook-upload.tsx";
import { returnDefinition } from "#app/models/collection.server.ts";
import {
  checkForSubmission,
  findReturn,
  flagBasis,
  returnVersions,
  saveReturn,
  type ReturnScope,
  type RoundRefusal,
  valuesShown,
  workingValues,
} from "#app/models/return.server.ts";
import { listQueries } from "#app/models/value-query.server.ts";
import { QueryThreads } from "#app/components/query-threads.tsx";
import { flagsInContext } from "#app/models/desk.server.ts";
import { findFlags } from "#app/schema/return-values.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDate, formatDateTime, pick, translator, type Translator } from "#app/i18n/i18n.ts";
import { asShownIn } from "#app/i18n/portal-text.ts";
import type { Language } from "#db/types.ts";
import type { Problem } from "#app/schema/return-values.ts";
import { pageTitle } from "#app/web/meta.ts";
import {
  FIELD_OF,
  fieldId,
  itemFormPath,
  MORE_FIELD,
  problemFieldId,
  formProblemText,
  inPageOrder,
  readFormValues,
  returnPath,
  ruleText,
  toFormValue,
  toRawReturn,
  type FormValue,
  type FormValues,
} from "#app/web/return-form.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { returnSections, type SectionItem } from "#app/domain/return-sections.ts";
import { ReturnTaskList, sectionTitle } from "#app/components/return-task-list.tsx";
import { hasOpened } from "#app/domain/round.ts";
import { actorOf } from "#app/web/return-page.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { describeValue } from "#app/domain/values.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${data.authority.name}: ${data.collection.title}` : t("notFound.title")), {
    errors: Boolean(data?.checkProblems.length),
  });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, reader, collection, authority, scope } = await guard("routes/returns.$collectionCode.$authorityCode._index", "loader", {
    request,
    params,
  });
  const ret = await findReturn(db, scope);
  const mayFillIn = may(user, "fillInReturn", authority.code);
  const mayReview = may(user, "reviewReturn", authority.code);
  const url = new URL(request.url);
  const opened = hasOpened(collection, todayInWales());
  const section = sectionAsked(collection.items, url);
  const editable = mayFillIn && collection.status === "open" && opened && (!ret || ret.status === "draft");
  // The officer editing sees the draft; everyone else what was last submitted, and none of a draft
  // but the authority's own officers (the model decides, by the reader).
  // One look at last round serves both the "last round" hints and the checks that compare with it.
  const [shown, context, threads, flags] = await Promise.all([
    valuesShown(db, reader, scope, { submittedVersion: ret?.submitted_version ?? null, editing: editable }),
    flagBasis(db, scope),
    listQueries(db, scope),
    // The reviewer sees each automatic flag with its figures, beside the officer's explanation.
    mayReview && ret?.submitted_version ? flagsInContext(db, reader, scope) : [],
  ]);
  const values = shown.values;
  const flagsToExplain = ret && editable ? findFlags(returnDefinition(collection), values, context) : [];
  // Sent back from the check page: what it found is shown here too, beside each field.
  const checkProblems =
    ret && editable && url.searchParams.get("check") === "1" ? (await checkForSubmission(db, scope, todayInWales())).problems : [];
  // An amendment says so, with the version it amends.
  const amending =
    ret?.status === "draft" && ret.submitted_version !== null
      ? {
          version: ret.submitted_version,
          submittedAt: (await returnVersions(db, scope)).find((v) => v.version === ret.submitted_version)?.submitted_at ?? null,
        }
      : null;
  // The page's words in its language only (the person's): the catalogue's other language is never shown.
  const lang = user.language;
  const t = translator(lang);
  return {
    collection: {
      code: collection.code,
      title: pick(lang, collection, "title"),
      guidance: pick(lang, collection, "guidance"),
      reference_date: collection.reference_date,
      due_on: collection.due_on,
      items: collection.items.map((i) => ({
        code: i.code,
        label: pick(lang, i, "label"),
        definition: pick(lang, i, "definition"),
        age_from: i.age_from,
        age_to: i.age_to,
        required: i.required,
        parent_code: i.parent_code,
      })),
    },
    authority: { code: authority.code, name: pick(lang, authority, "name") },
    // The languages of the words people typed, for the summary a reader sees; the form shows them as typed.
    textLangs: shown.textLangs,
    /** Nothing to show: not yet submitted, and the draft is the authority's own. */
    nothingSubmitted: shown.of === "nothing",
    returnStatus: ret?.status ?? null,
    submittedVersion: ret?.submitted_version ?? null,
    lockVersion: ret?.lock_version ?? 0,
    editable,
    opensOn: mayFillIn && collection.status === "open" && !opened ? collection.opens_on : null,
    mayAmend: mayFillIn && collection.status === "open" && ret !== undefined && ret.status !== "draft",
    mayDownloadTemplate: may(user, "workOnReturn", authority.code),
    csrfToken: user.csrfToken,
    values,
    // Last round's figure as the hint says it, not the whole of last round's value.
    previous: Object.fromEntries(
      [...context.previous].map(([code, p]) => [code, { date: formatDate(lang, p.referenceDate), text: describeValue(t, p, true) }]),
    ),
    rules: collection.rules.crossItem,
    flagsToExplain,
    threads,
    flags,
    viewer: {
      mayReply: may(user, "workOnReturn", authority.code),
      mayResolve: mayReview,
      mayRaise: mayReview && Boolean(ret?.submitted_version),
      mayAccept: mayReview && ret?.status === "submitted" && threads.every((q) => q.status === "resolved"),
    },
    beingAmended: !editable && ret?.status === "draft" && ret.submitted_version !== null,
    acceptedVersion: ret?.accepted_version ?? null,
    changedAfterAcceptance: Boolean(ret?.accepted_version && ret.status !== "accepted"),
    checkProblems,
    amending,
    // A long round is worked through a section at a time: none asked for, its task list.
    sectioned: returnSections(collection.items) !== null,
    section,
    // "upload": saved from a spreadsheet, whose banner names the figures that now need an explanation.
    saved: url.searchParams.get("saved"),
    accepted: url.searchParams.get("accepted") === "1",
  };
}

/** What stopped a save that nobody can retry from this form: the person's answers are shown back, not lost. */
type Refusal =
  | {
      reason: "submitted";
      at: string | null;
      by: string | null;
      signedOffName: string;
      signedOffRole: string;
      signedOffLang: Language | null;
    }
  | { reason: "closed" }
  | { reason: "notYetOpen"; opensOn: string };

type ActionResult = {
  problems: Problem[];
  input: FormValues | null;
  conflict: boolean;
  refusal: Refusal | null;
  /** The item whose "Add a note…" was pressed. */
  more: string | null;
  /** The lock version the form was built from, carried on after "Add a note…" or a refused save, so that a colleague's save in between is still caught. */
  basedOn: number | null;
};

/** Save as draft, or save and go on to check the answers: the return's figures, from its own officers. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, reader, collection, authority, scope } = await guard("routes/returns.$collectionCode.$authorityCode._index", "action", {
    request,
    params,
  });
  const form = await readForm(request);
  requireCsrf(user, form);
  const here = returnPath(collection.code, authority.code);
  const intent = field(form, "intent");
  const more = field(form, MORE_FIELD);
  const section = sectionAsked(collection.items, new URL(request.url));
  const shownCodes = section?.itemCodes ?? collection.items.map((i) => i.code);
  if (more ? !shownCodes.includes(more) : intent !== "save" && intent !== "check") throw new Response("Unknown action", { status: 400 });
  const result = (r: Partial<ActionResult>): ActionResult => ({
    problems: [],
    input: null,
    conflict: false,
    refusal: null,
    more: null,
    basedOn: null,
    ...r,
  });
  const refuse = (r: Partial<ActionResult>, status = 400) => refuseForm<ActionResult>(context, result(r), status);
  const basedOn = Number(field(form, "lockVersion"));
  const posted = readFormValues(form, shownCodes);
  // A section's page carries only its own items: the others stay as saved.
  const input = section
    ? {
        ...Object.fromEntries(Object.entries(await workingValues(db, reader, scope)).map(([code, v]) => [code, toFormValue(v)])),
        ...posted,
      }
    : posted;
  // A lock version that cannot be one (a crafted form) is answered as the conflict it would meet.
  if (!Number.isInteger(basedOn) || basedOn < 0) return refuse({ input, conflict: true }, 409);
  // "Add a note…": the form comes back as typed, with that item's note and how it was counted open; nothing is saved or checked.
  if (more) return result({ input, more, basedOn });
  const saved = await saveReturn(db, scope, { basedOn, raw: toRawReturn(input), actor: actorOf(user) });
  if (!saved.ok) {
    // Corrected and sent again, the form must still be checked against the version it was built from.
    if (saved.reason === "invalid") return refuse({ problems: saved.problems, input, basedOn });
    if (saved.reason === "conflict") return refuse({ input, conflict: true }, 409);
    return refuse({ input, refusal: await refusalOf(saved, db, scope) }, 409);
  }
  throw redirect(intent === "check" ? returnPath(collection.code, authority.code, "check") : `${here}?saved=1`);
}

/** The section the address asks for (`?section=2`), if the round has sections and that one. */
function sectionAsked(items: SectionItem[], url: URL) {
  const asked = Number(url.searchParams.get("section"));
  return returnSections(items)?.find((s) => s.number === asked) ?? null;
}

async function refusalOf(
  refused: { reason: "notEditable" } | RoundRefusal,
  db: Parameters<typeof returnVersions>[0],
  scope: ReturnScope,
): Promise<Refusal> {
  if (refused.reason === "collectionNotOpen") return { reason: "closed" };
  if (refused.reason === "notYetOpen") return { reason: "notYetOpen", opensOn: refused.opensOn };
  const latest = (await returnVersions(db, scope)).at(-1);
  return {
    reason: "submitted",
    at: latest?.submitted_at.toISOString() ?? null,
    by: latest?.submitted_by_name ?? null,
    signedOffName: latest?.signed_off_name ?? "",
    signedOffRole: latest?.signed_off_role ?? "",
    signedOffLang: latest?.signed_off_lang ?? null,
  };
}

export default function ReturnForm() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const { collection, authority } = data;
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, i.label]));
  const formValues: FormValues =
    actionData?.input ?? Object.fromEntries(Object.entries(data.values).map(([code, v]) => [code, toFormValue(v)]));
  const section = data.section;
  const taskList = data.editable && data.sectioned && !section;
  // The items this page asks for: a section's, or all of a short round's.
  const shown = section ? collection.items.filter((i) => section.itemCodes.includes(i.code)) : collection.items;
  const isAnswered = (code: string) => (formValues[code]?.state ?? "") !== "";
  const problems = inPageOrder(
    (actionData?.problems ?? data.checkProblems).filter((p) => !section || section.itemCodes.includes(p.itemCode)),
    collection.items.map((i) => i.code),
  );
  const answered = collection.items.filter((i) => isAnswered(i.code)).length;
  // An item's field: on this page, or on its section's page from the task list.
  const fieldHref = (code: string, id: string) =>
    `${taskList ? itemFormPath(collection.code, authority.code, collection.items, code, { check: data.checkProblems.length > 0 }) : ""}#${id}`;
  const formAction = `${returnPath(collection.code, authority.code)}${section ? `?section=${section.number}` : ""}`;
  // Figures the checks flag that have no explanation yet, in the round's order.
  const toExplain = collection.items
    .map((i) => i.code)
    .filter((code) => data.flagsToExplain.some((f) => f.itemCode === code) && !formValues[code]?.queryExplanation.trim());
  const summary = [
    ...problems.map((p) => ({
      href: fieldHref(p.itemCode, problemFieldId(p, formValues[p.itemCode])),
      text: formProblemText(t, p, labels),
    })),
  ];
  const errorsFor = (code: string) => {
    const errors: Partial<Record<keyof FormValue, string>> = {};
    for (const p of problems.filter((p) => p.itemCode === code)) errors[FIELD_OF[p.field]] ??= formProblemText(t, p, labels);
    return errors;
  };

  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={summary} />
      {actionData?.conflict ? (
        <NotificationBanner title={t("form.conflict.title")}>
          <p className="govuk-notification-banner__heading">{t("form.conflict.heading")}</p>
          <p className="govuk-body">{t("form.conflict.body")}</p>
          <ConflictTable saved={data.values} yours={formValues} labels={labels} />
        </NotificationBanner>
      ) : null}
      {actionData?.refusal ? (
        <NotificationBanner title={t("form.conflict.title")}>
          <p className="govuk-notification-banner__heading" id="refusal">
            {t(`form.refused.${actionData.refusal.reason}`)}
          </p>
          <p className="govuk-body">{refusalText(t, actionData.refusal)}</p>
          <p className="govuk-body">{t("form.refused.body")}</p>
          <ConflictTable saved={data.values} yours={formValues} labels={labels} />
        </NotificationBanner>
      ) : null}
      {data.accepted && !actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("accept.done")}</p>
        </NotificationBanner>
      ) : null}
      {data.saved && !actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t(data.saved === "upload" ? "form.uploaded" : "form.saved")}</p>
          {data.saved === "upload" && toExplain.length > 0 ? (
            <>
              <p className="govuk-body">{t("form.uploaded.explain", { count: toExplain.length })}</p>
              <ul className="govuk-list govuk-list--bullet" id="uploaded-to-explain">
                {toExplain.map((code) => (
                  <li key={code}>
                    <a className="govuk-notification-banner__link" href={fieldHref(code, fieldId(code, "queryExplanation"))}>
                      {labels[code]}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{authority.name}</span>
      <h1 className="govuk-heading-l">{collection.title}</h1>
      {data.amending ? (
        <p className="govuk-inset-text" id="amending">
          {data.amending.submittedAt
            ? t("form.amending", { version: data.amending.version, at: formatDateTime(t.lang, data.amending.submittedAt) })
            : t("form.amendingUndated", { version: data.amending.version })}
        </p>
      ) : null}
      <p className="govuk-body">
        {t("form.asAt", { date: formatDate(t.lang, collection.reference_date) })}{" "}
        {t("form.due", { date: formatDate(t.lang, collection.due_on) })}
      </p>
      <p className="govuk-body">{collection.guidance}</p>
      <p className="govuk-body app-with-tag">
        <strong className="govuk-tag govuk-tag--blue">{t(`returnStatus.${data.returnStatus ?? "notStarted"}`)}</strong>
        {data.submittedVersion ? (
          <Link className="govuk-link" to={returnPath(collection.code, authority.code, "history")}>
            {t("form.historyLink")}
          </Link>
        ) : null}
      </p>
      {data.opensOn ? (
        <p className="govuk-inset-text" id="opens-on">
          {t("form.opensOn", { date: formatDate(t.lang, data.opensOn) })}
        </p>
      ) : null}
      {data.mayDownloadTemplate && !data.editable ? (
        <p className="govuk-body">
          <a className="govuk-link" href={returnPath(collection.code, authority.code, "template.xlsx")}>
            {t("upload.templateLink")}
          </a>
        </p>
      ) : null}

      {taskList ? (
        <>
          <h2 className="govuk-heading-m">{t("form.sections.title")}</h2>
          <p className="govuk-body">{t("form.sections.lead")}</p>
          <p className="govuk-body govuk-!-font-weight-bold" id="answered">
            {t("form.answered", { count: answered, total: collection.items.length })}
          </p>
          <ReturnTaskList
            t={t}
            labels={labels}
            sections={returnSections(collection.items)!.map((s) => ({ section: s, answered: s.itemCodes.filter(isAnswered).length }))}
            sectionHref={(s) => `${returnPath(collection.code, authority.code)}?section=${s.number}`}
          />
          <a className="govuk-button" data-module="govuk-button" href={returnPath(collection.code, authority.code, "check")}>
            {t("form.sections.check")}
          </a>
        </>
      ) : data.editable ? (
        // The address without its fragment: a form posts to the page's address, fragment and all, and
        // the redirect that follows keeps it (a query's #query-3 would stick through /check and /submitted).
        <form method="post" action={formAction} noValidate>
          {section ? (
            <>
              <p className="govuk-body">
                <a className="govuk-link" href={returnPath(collection.code, authority.code)}>
                  {t("form.sections.back")}
                </a>
              </p>
              <h2 className="govuk-heading-m" id="section-title">
                {sectionTitle(t, section, labels)}
              </h2>
            </>
          ) : null}
          {/* Enter in a box presses the form's first submit button: the save below, not an item's "Add a note…". */}
          <DefaultButton name="intent" value={section ? "save" : "check"} />
          <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
          <input type="hidden" name="lockVersion" value={actionData?.basedOn ?? data.lockVersion} />
          <p className="govuk-body">{t("form.lead")}</p>
          {data.rules.length > 0 ? (
            <div className="govuk-inset-text" id="rules">
              <h2 className="govuk-heading-s">{t("form.rules.title")}</h2>
              <p className="govuk-body">{t("form.rules.lead")}</p>
              <ul className="govuk-list govuk-list--bullet">
                {data.rules.map((rule) => {
                  const text = ruleText(t, rule, labels);
                  return <li key={text}>{text}</li>;
                })}
              </ul>
            </div>
          ) : null}
          <p className="govuk-body govuk-!-font-weight-bold" id="answered">
            {section
              ? t("form.answered", { count: shown.filter((i) => isAnswered(i.code)).length, total: shown.length })
              : t("form.answered", { count: answered, total: collection.items.length })}
          </p>
          {shown.map((item) => (
            <ValueFieldset
              key={item.code}
              t={t}
              item={{
                code: item.code,
                position: collection.items.indexOf(item) + 1,
                label: item.label,
                definition: item.definition,
                ageFrom: item.age_from,
                ageTo: item.age_to,
                required: item.required,
              }}
              value={formValues[item.code]!}
              errors={errorsFor(item.code)}
              previous={data.previous[item.code] ?? null}
              flags={data.flagsToExplain.filter((f) => f.itemCode === item.code)}
              queries={data.threads
                .filter((thread) => thread.item_code === item.code && thread.status === "open")
                .map((thread) => ({ thread, replyHref: returnPath(collection.code, authority.code, `queries/${thread.id}`) }))}
              formAction={formAction}
              moreAsked={actionData?.more === item.code}
            />
          ))}
          {section ? (
            <button type="submit" name="intent" value="save" className="govuk-button" data-module="govuk-button">
              {t("form.sections.save")}
            </button>
          ) : (
            <div className="govuk-button-group">
              <button type="submit" name="intent" value="check" className="govuk-button" data-module="govuk-button">
                {t("form.saveAndCheck")}
              </button>
              <button type="submit" name="intent" value="save" className="govuk-button govuk-button--secondary" data-module="govuk-button">
                {t("form.saveDraft")}
              </button>
            </div>
          )}
        </form>
      ) : (
        <>
          {data.beingAmended ? <p className="govuk-inset-text">{t("review.beingAmended")}</p> : null}
          {data.changedAfterAcceptance ? (
            <p className="govuk-inset-text">{t("review.changedAfterAcceptance", { version: data.acceptedVersion ?? 0 })}</p>
          ) : null}
          {data.nothingSubmitted ? (
            <p className="govuk-inset-text" id="nothing-submitted">
              {t("review.nothingSubmitted")}
            </p>
          ) : (
            <ReturnSummary
              t={t}
              items={collection.items}
              labels={labels}
              values={data.values}
              textLangs={data.textLangs}
              flags={data.flags}
            />
          )}
          {data.mayAmend ? (
            <Link className="govuk-button" to={returnPath(collection.code, authority.code, "amend")}>
              {t("form.amendLink")}
            </Link>
          ) : null}
        </>
      )}
      {data.editable ? (
        <section className="govuk-!-margin-bottom-8" aria-labelledby="upload-title">
          <h2 className="govuk-heading-m" id="upload-title">
            {t("upload.title")}
          </h2>
          <ReturnUpload t={t} collectionCode={collection.code} authorityCode={authority.code} csrfToken={data.csrfToken} />
        </section>
      ) : null}
      <QueryThreads
        t={t}
        threads={data.threads}
        labels={labels}
        csrfToken={data.csrfToken}
        mayReply={data.viewer.mayReply}
        mayResolve={data.viewer.mayResolve}
        actionOf={(id) => returnPath(collection.code, authority.code, `queries/${id}`)}
      />
      {data.viewer.mayRaise ? (
        <RaiseQuery action={returnPath(collection.code, authority.code, "queries/new")} labels={labels} csrfToken={data.csrfToken} />
      ) : null}
      {data.viewer.mayAccept ? (
        <AcceptReturn
          action={returnPath(collection.code, authority.code, "accept")}
          csrfToken={data.csrfToken}
          lockVersion={data.lockVersion}
          submittedVersion={data.submittedVersion ?? 0}
        />
      ) : null}
    </>
  );
}

function refusalText(t: Translator, refusal: Refusal) {
  if (refusal.reason === "closed") return t("form.refused.closedBody");
  if (refusal.reason === "notYetOpen") return t("form.opensOn", { date: formatDate(t.lang, refusal.opensOn) });
  // The portal's own sign-off (the February 2023 reply's) in the page's language.
  const signedOff = {
    name: asShownIn(t.lang, refusal.signedOffName, refusal.signedOffLang).text,
    role: asShownIn(t.lang, refusal.signedOffRole, refusal.signedOffLang).text,
  };
  return refusal.at
    ? t("form.refused.submittedBody", { at: formatDateTime(t.lang, refusal.at), by: refusal.by ?? t("form.refused.portal"), ...signedOff })
    : t("form.refused.submittedUndated", signedOff);
}

function ConflictTable({
  saved,
  yours,
  labels,
}: {
  saved: ReturnType<typeof useLoaderData<typeof loader>>["values"];
  yours: FormValues;
  labels: Record<string, string>;
}) {
  const t = useTranslation();
  const describeForm = (v: FormValue) =>
    v.state === "reported" || (!v.state && v.number) ? v.number : v.state ? t(`state.${v.state}` as "state.unknown") : t("state.blank");
  return (
    <Table
      caption={t("form.conflict.caption")}
      captionClassName="govuk-table__caption--s"
      headings={[t("collection.totals.item"), t("form.conflict.saved"), t("form.conflict.yours")]}
    >
      {Object.entries(labels).map(([code, label]) => (
        <tr key={code} className="govuk-table__row">
          <th scope="row" className="govuk-table__header">
            {label}
          </th>
          <td className="govuk-table__cell">{describeValue(t, saved[code]!, true)}</td>
          <td className="govuk-table__cell">{describeForm(yours[code]!)}</td>
        </tr>
      ))}
    </Table>
  );
}
