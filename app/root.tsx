import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { CSRF_FIELD } from "#app/web/forms.ts";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLoaderData,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import govukStyles from "govuk-frontend/dist/govuk/govuk-frontend.min.css";
import appStyles from "#app/styles/app.css";
import { getCurrentUser } from "#app/auth/auth.server.ts";
import { may } from "#app/auth/policy.ts";
import { getDb } from "#app/db.server.ts";
import { findInvitation } from "#app/models/account.server.ts";
import { languageOf } from "#app/i18n/language.server.ts";
import { translator, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import { useNonce } from "#app/web/nonce.tsx";
import type { Language } from "#db/types.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: govukStyles },
  { rel: "stylesheet", href: appStyles },
  { rel: "icon", sizes: "48x48", href: "/assets/images/favicon.ico" },
  { rel: "icon", sizes: "any", href: "/assets/images/favicon.svg", type: "image/svg+xml" },
];

/**
 * The language of the account a set-password link names (the `$token` of its route), read whether
 * or not the link can still be used: the invitee, or someone in a new browser, has no other.
 */
async function linkLanguage(token: string | undefined) {
  if (!token) return null;
  const link = await getDb()
    .then((db) => findInvitation(db, token))
    .catch(() => null);
  return link?.language ?? null;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  // Should the session not be readable (the database gone), the layout still renders, as signed
  // out, so that the error page the route's own failure leads to can show the request id.
  const user = await getCurrentUser(request).catch(() => null);
  return {
    // Accept-Language only guesses: a language chosen in this browser, or the account's, comes first.
    lang: user?.language ?? languageOf(request, { cookieOnly: true }) ?? (await linkLanguage(params.token)) ?? languageOf(request),
    // Shown on the error page, so a person can quote it and the operator find the request's log lines.
    requestId: context.requestId ?? null,
    pageHasErrors: Boolean(context.pageHasErrors),
    user: user
      ? {
          name: user.name,
          role: user.role,
          csrfToken: user.csrfToken,
          nav: { catalogue: may(user, "readCatalogue"), outbox: may(user, "runRounds"), accounts: may(user, "manageAccounts") },
        }
      : null,
  };
}

/**
 * Every navigation asks for the root's data too: in the same request as the page's (single
 * fetch), whose session lookup it shares, so the request id on an error page is that request's.
 */
export const shouldRevalidate = () => true;

/** The service navigation's links, in order: the ones the person may use. */
function navigationLinks(user: { role: string; nav: Record<"catalogue" | "outbox" | "accounts", boolean> }) {
  const links: { to: string; label: MessageKey; shown: boolean }[] = [
    { to: "/", label: user.role === "officer" ? "layout.nav.returns" : "layout.nav.collections", shown: true },
    { to: "/catalogue", label: "layout.nav.catalogue", shown: user.nav.catalogue },
    { to: "/outbox", label: "layout.nav.outbox", shown: user.nav.outbox },
    { to: "/admin/users", label: "layout.nav.accounts", shown: user.nav.accounts },
    { to: "/account/two-factor", label: "layout.nav.twoFactor", shown: true },
    { to: "/api-tokens", label: "layout.nav.apiTokens", shown: true },
    { to: "/account/notifications", label: "layout.nav.notifications", shown: true },
    { to: "/account/sessions", label: "layout.nav.sessions", shown: true },
  ];
  return links.filter((link) => link.shown);
}

type RootUser = Awaited<ReturnType<typeof loader>>["user"];

/**
 * Links for a visitor (this browser's language); for a signed-in person, forms that post, since the
 * choice changes their account (their emails follow it) and a link anyone could send must not.
 */
function LanguageNavigation({ t, lang, csrfToken }: { t: Translator; lang: Language; csrfToken: string | null }) {
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  const options: { lang: Language; name: string }[] = [
    { lang: "en", name: "English" },
    { lang: "cy", name: "Cymraeg" },
  ];
  return (
    <nav className="govuk-language-navigation" aria-label={t("layout.languageNavigation")}>
      <ul className="govuk-language-navigation__list">
        {options.map((option) => (
          <li key={option.lang} className="govuk-language-navigation__list-item">
            {option.lang === lang ? (
              <span className="govuk-language-navigation__text" aria-current="true" lang={option.lang}>
                {option.name}
              </span>
            ) : csrfToken ? (
              <form method="post" action="/language" className="app-inline-form">
                <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                <input type="hidden" name="lang" value={option.lang} />
                <input type="hidden" name="returnTo" value={here} />
                <button type="submit" className="app-link-button govuk-language-navigation__link" lang={option.lang}>
                  {option.name}
                </button>
              </form>
            ) : (
              <a
                className="govuk-language-navigation__link"
                href={`/language?lang=${option.lang}&returnTo=${encodeURIComponent(here)}`}
                rel="alternate"
                lang={option.lang}
                hrefLang={option.lang}
              >
                {option.name}
              </a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Document({ lang, user, children }: { lang: Language; user: RootUser; children: ReactNode }) {
  const nonce = useNonce();
  const t = translator(lang);
  const location = useLocation();
  useEffect(() => {
    document.body.classList.add("js-enabled", "govuk-frontend-supported");
  }, []);
  // Pages rendered by client-side navigation bring new components: start them too. Those already
  // started refuse a second start with an InitError, which is expected and ignored.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again on every navigation, which location.key marks
  useEffect(() => {
    void import("govuk-frontend").then(({ initAll }) =>
      initAll({
        onError: (error: Error) => {
          if (error.name !== "InitError") console.error(error);
        },
      }),
    );
  }, [location.key]);
  return (
    <html lang={lang} className="govuk-template">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#1d70b8" />
        <Meta />
        <Links />
      </head>
      <body className="govuk-template__body">
        <a href="#main-content" className="govuk-skip-link" data-module="govuk-skip-link">
          {t("layout.skipLink")}
        </a>
        <header className="govuk-template__header">
          <section aria-label={t("service.name")} className="govuk-service-navigation" data-module="govuk-service-navigation">
            <div className="govuk-width-container govuk-service-navigation__inlining-container">
              <div className="govuk-service-navigation__container app-service-navigation__container">
                <span className="govuk-service-navigation__service-name">
                  <Link to="/" className="govuk-service-navigation__link">
                    {t("service.name")}
                  </Link>
                </span>
                {user ? (
                  <nav aria-label={t("layout.navigation")} className="govuk-service-navigation__wrapper">
                    <ul className="govuk-service-navigation__list">
                      {navigationLinks(user).map(({ to, label }) => (
                        <li key={to} className="govuk-service-navigation__item">
                          <Link className="govuk-service-navigation__link" to={to}>
                            {t(label)}
                          </Link>
                        </li>
                      ))}
                      <li className="govuk-service-navigation__item">
                        <form method="post" action="/logout" className="app-inline-form">
                          <input type="hidden" name={CSRF_FIELD} value={user.csrfToken} />
                          <button type="submit" className="app-link-button govuk-service-navigation__link">
                            {t("layout.signOut")}
                          </button>
                        </form>
                      </li>
                    </ul>
                  </nav>
                ) : null}
              </div>
              <LanguageNavigation t={t} lang={lang} csrfToken={user?.csrfToken ?? null} />
            </div>
          </section>
        </header>
        <div className="govuk-width-container">
          <main className="govuk-main-wrapper" id="main-content">
            {children}
          </main>
        </div>
        <footer className="govuk-footer">
          <div className="govuk-width-container">
            <div className="govuk-footer__meta">
              <div className="govuk-footer__meta-item govuk-footer__meta-item--grow">
                <h2 className="govuk-visually-hidden">{t("layout.footer.support")}</h2>
                <ul className="govuk-footer__inline-list">
                  <li className="govuk-footer__inline-list-item">
                    <Link className="govuk-footer__link" to="/statistics">
                      {t("statistics.list.title")}
                    </Link>
                  </li>
                  <li className="govuk-footer__inline-list-item">
                    <Link className="govuk-footer__link" to="/accessibility">
                      {t("layout.footer.accessibility")}
                    </Link>
                  </li>
                </ul>
                <p className="govuk-body-s">{t("layout.footer.licence")}</p>
              </div>
            </div>
          </div>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { lang, user } = useLoaderData<typeof loader>();
  return (
    <Document lang={lang} user={user}>
      <Outlet />
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  const lang = data?.lang ?? "en";
  const t = translator(lang);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Document lang={lang} user={data?.user ?? null}>
      <title>{`${t(notFound ? "notFound.title" : "error.title")} – ${t("page.titleSuffix")}`}</title>
      <h1 className="govuk-heading-l">{t(notFound ? "notFound.title" : "error.title")}</h1>
      <p className="govuk-body">{t(notFound ? "notFound.body" : "error.body")}</p>
      {!notFound && data?.requestId ? <p className="govuk-body">{t("error.reference", { id: data.requestId })}</p> : null}
    </Document>
  );
}
