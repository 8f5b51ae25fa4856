import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AcceptReturn } from "#app/components/accept-return.tsx";
import { ErrorSummary, ParagraphLink } from "#app/components/govuk.tsx";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { pick, type MessageKey } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { findReturn } from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { field, readForm, refuseForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import type { ReturnStatus } from "#db/types.ts";
import { actorOf } from "#app/web/return-page.server.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("accept.title"));

const ROUTE = "routes/returns.$collectionCode.$authorityCode.accept";

const WHY_NOT: Record<ReturnStatus, MessageKey> = {
  draft: "review.beingAmended",
  submitted: "accept.title",
  queried: "accept.error.openQueries",
  accepted: "accept.done",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, collection, authority, scope } = await guard(ROUTE, "loader", { request, params });
  const ret = await findReturn(db, scope);
  if (!ret?.submitted_version) throw redirect(returnPath(collection.code, authority.code));
  return {
    collection,
    authority,
    csrfToken: user.csrfToken,
    lockVersion: ret.lock_version,
    submittedVersion: ret.submitted_version,
    status: ret.status,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, user, collection, authority, scope } = await guard(ROUTE, "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const result = await acceptReturn(db, scope, { basedOn: Number(field(form, "lockVersion")), actor: actorOf(user) });
  const here = returnPath(collection.code, authority.code);
  if (result.ok) throw redirect(`${here}?accepted=1`);
  if (result.reason === "notAllowed") throw notFound();
  const error: MessageKey = result.reason === "openQueries" ? "accept.error.openQueries" : "accept.error.changed";
  return refuseForm(context, { error }, 409);
}

export default function AcceptPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const { collection, authority } = data;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={actionData ? [{ href: "#accept", text: t(actionData.error) }] : []} />
        <span className="govuk-caption-l">
          {pick(t.lang, authority, "name")}: {pick(t.lang, collection, "title")}
        </span>
        {data.status === "submitted" ? (
          <AcceptReturn
            action={returnPath(collection.code, authority.code, "accept")}
            csrfToken={data.csrfToken}
            lockVersion={data.lockVersion}
            submittedVersion={data.submittedVersion}
            heading="h1"
          />
        ) : (
          <>
            <h1 className="govuk-heading-l" id="accept">
              {t("accept.title")}
            </h1>
            {/* Only a submitted return waits to be accepted: a queried one has questions open, an accepted one is done. */}
            <p className="govuk-inset-text">{t(WHY_NOT[data.status])}</p>
          </>
        )}
        <ParagraphLink to={returnPath(collection.code, authority.code)}>{t("history.back")}</ParagraphLink>
      </div>
    </div>
  );
}
