import "@remix-run/node";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }

  interface AppLoadContext {
    cspNonce?: string;
    /** This request's id, as in its log line and its X-Request-Id header. */
    requestId?: string;
    /** The client's address as express sees it (behind a proxy, set TRUST_PROXY). */
    clientAddress?: string;
    /** Set by an action that refused a form, so the page title can start "Error:" (see app/web/forms.ts). */
    pageHasErrors?: boolean;
  }
}
