import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, ParagraphLink } from "#app/components/govuk.tsx";
import { QueryThreads } from "#app/components/query-threads.tsx";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { listQueries, replyToQuery, resolveQuery } from "#app/models/value-query.server.ts";
import { ThreadMessageSchema } from "#app/schema/messages.ts";
import { field, parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { actorOf } from "#app/web/return-page.server.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("queries.title"));

const ROUTE = "routes/returns.$collectionCode.$authorityCode.queries.$queryId";

/** The thread the address names, on the return it names: anything else is a 404. */
async function thread(method: "loader" | "action", { request, params }: { request: Request; params: LoaderFunctionArgs["params"] }) {
  const page = await guard(ROUTE, method, { request, params });
  const queryId = /^[0-9]{1,10}$/.test(params.queryId ?? "") ? Number(params.queryId) : Number.NaN;
  const [found] = Number.isInteger(queryId) ? await listQueries(page.db, page.scope, queryId) : [];
  if (!found) throw notFound();
  return { ...page, thread: found };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, collection, authority, thread: found } = await thread("loader", { request, params });
  return {
    collection,
    authority,
    thread: found,
    csrfToken: user.csrfToken,
    mayReply: may(user, "workOnReturn", authority.code),
    mayResolve: may(user, "reviewReturn", authority.code),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope, thread: found } = await thread("action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const intent = field(form, "intent");
  if (intent !== "reply" && intent !== "resolve") throw new Response("Unknown action", { status: 400 });
  const parsed = parseForm(form, ThreadMessageSchema, ["intent", "message"]);
  if (!parsed.ok)
    return refuseForm(context, { error: parsed.errors.message ?? "queries.error.messageMissing", typed: parsed.input.message ?? "" });
  const { message } = parsed.data;
  const command = { queryId: found.id, actor: actorOf(user) };
  const result =
    parsed.data.intent === "reply"
      ? await replyToQuery(db, scope, { ...command, body: message })
      : await resolveQuery(db, scope, { ...command, body: message || null });
  if (!result.ok && result.reason !== "resolved") throw notFound();
  throw redirect(`${returnPath(collection.code, authority.code)}#query-${found.id}`);
}

export default function QueryThreadPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const { collection, authority } = data;
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const fieldId = `query-${data.thread.id}-message`;
  const error = actionData?.error ? t(actionData.error) : null;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: `#${fieldId}`, text: error }] : []} />
        <span className="govuk-caption-l">
          {pick(t.lang, authority, "name")}: {pick(t.lang, collection, "title")}
        </span>
        <h1 className="govuk-heading-l">{labels[data.thread.item_code] ?? data.thread.item_code}</h1>
        <QueryThreads
          t={t}
          threads={[data.thread]}
          labels={labels}
          csrfToken={data.csrfToken}
          mayReply={data.mayReply}
          mayResolve={data.mayResolve}
          actionOf={(id) => returnPath(collection.code, authority.code, `queries/${id}`)}
          error={error ? { queryId: data.thread.id, message: error, typed: actionData?.typed ?? "" } : undefined}
        />
        <ParagraphLink to={returnPath(collection.code, authority.code)}>{t("history.back")}</ParagraphLink>
      </div>
    </div>
  );
}
