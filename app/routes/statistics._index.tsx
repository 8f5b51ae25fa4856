import { data as withHeaders, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "#app/db.server.ts";
import { formatDate, pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { listPublishedStatistics } from "#app/models/statistics.server.ts";
import { PUBLISHED_CACHE } from "#app/spreadsheets/statswales.server.ts";
import { pageTitle } from "#app/web/meta.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("statistics.list.title"));

export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store",
  Vary: "Cookie",
});

/** Every round whose statistics are published: public, without signing in. */
export async function loader({ request }: LoaderFunctionArgs) {
  const rounds = await listPublishedStatistics(await getDb());
  const signedIn = /(^|;\s*)__session=/.test(request.headers.get("Cookie") ?? "");
  return withHeaders({ rounds }, { headers: { "Cache-Control": signedIn ? "private, no-store" : PUBLISHED_CACHE } });
}

export default function StatisticsList() {
  const { rounds } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <>
      <h1 className="govuk-heading-l">{t("statistics.list.title")}</h1>
      <p className="govuk-body">{t("statistics.list.intro")}</p>
      {rounds.length === 0 ? (
        <p className="govuk-body">{t("statistics.list.none")}</p>
      ) : (
        <ul className="govuk-list govuk-list--spaced">
          {rounds.map((round) => (
            <li key={round.code}>
              <Link className="govuk-link govuk-!-font-weight-bold" to={`/statistics/${round.code}`}>
                {pick(t.lang, round, "title")}
              </Link>
              <span className="govuk-body-s govuk-!-display-block">
                {t("statistics.list.referenceDate", { date: formatDate(t.lang, round.reference_date) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
