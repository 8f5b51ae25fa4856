import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, ParagraphLink } from "#app/components/govuk.tsx";
import { RaiseQuery } from "#app/components/raise-query.tsx";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { findReturn } from "#app/models/return.server.ts";
import { raiseQuery } from "#app/models/value-query.server.ts";
import { raiseQuerySchema } from "#app/schema/messages.ts";
import { parseForm, readForm, refuseForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { actorOf } from "#app/web/return-page.server.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("queries.raiseTitle"));

const ROUTE = "routes/returns.$collectionCode.$authorityCode.queries.new";

/** A query can be raised on a return once it has been submitted; before that there is nothing to ask about. */
async function submittedReturn(
  method: "loader" | "action",
  { request, params }: { request: Request; params: LoaderFunctionArgs["params"] },
) {
  const page = await guard(ROUTE, method, { request, params });
  // A post is checked for its CSRF token before anything else is said about the return.
  if (method === "action") requireCsrf(page.user, await readForm(request.clone()));
  const ret = await findReturn(page.db, page.scope);
  if (!ret?.submitted_version) throw redirect(returnPath(page.collection.code, page.authority.code));
  return page;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, collection, authority } = await submittedReturn("loader", { request, params });
  const item = new URL(request.url).searchParams.get("item") ?? "";
  return { collection, authority, csrfToken: user.csrfToken, item: collection.items.some((i) => i.code === item) ? item : "" };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope } = await submittedReturn("action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const schema = raiseQuerySchema(collection.items.map((i) => i.code));
  const parsed = parseForm(form, schema, ["itemCode", "message"]);
  if (!parsed.ok) return refuseForm(context, { errors: parsed.errors, input: parsed.input });
  const result = await raiseQuery(db, scope, { itemCode: parsed.data.itemCode, body: parsed.data.message, actor: actorOf(user) });
  if (!result.ok) throw notFound();
  throw redirect(`${returnPath(collection.code, authority.code)}#queries-title`);
}

export default function RaiseQueryPage() {
  const { collection, authority, csrfToken, item } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const errors = actionData?.errors ?? {};
  const summary = [
    ...(errors.itemCode ? [{ href: "#raise-item", text: t(errors.itemCode) }] : []),
    ...(errors.message ? [{ href: "#raise-message", text: t(errors.message) }] : []),
  ];
  const here = returnPath(collection.code, authority.code);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={summary} />
        <span className="govuk-caption-l">
          {pick(t.lang, authority, "name")}: {pick(t.lang, collection, "title")}
        </span>
        <RaiseQuery
          action={returnPath(collection.code, authority.code, "queries/new")}
          labels={labels}
          csrfToken={csrfToken}
          input={actionData?.input ?? { itemCode: item }}
          errors={errors}
          heading="h1"
        />
        <ParagraphLink to={here}>{t("history.back")}</ParagraphLink>
      </div>
    </div>
  );
}
