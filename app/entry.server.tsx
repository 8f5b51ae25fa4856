import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "#app/web/nonce.tsx";
import { logger } from "#app/log.server.ts";
import { currentRequest } from "#app/web/request-context.server.ts";

const ABORT_DELAY = 5_000;

/**
 * Pages and their data may hold figures and are rendered for one person: no shared or browser
 * cache may keep them. A route that may be cached (a public statistics page) says so with its own
 * `Cache-Control` in its `headers` export, and that wins.
 */
function storeNothingUnlessSaid(headers: Headers) {
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
}

/**
 * The whole document, rendered, then sent in one piece. No page streams (no loader defers), so
 * the shell and the whole page are ready at almost the same moment; sent as React writes it, the
 * page went out in dozens of small socket writes, which cost the form 7% of its CPU.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const chunks: Buffer[] = [];
    const document = new Writable({
      // React aborts a render when its destination closes. This one closes only after React has
      // ended it, and the abort then ended it again, building a Node error (and its stack) per page.
      emitClose: false,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        clearTimeout(timeout);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        storeNothingUnlessSaid(responseHeaders);
        resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const timeout = setTimeout(() => abort(), ABORT_DELAY);
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          pipe(document);
        },
        onShellError(error: unknown) {
          clearTimeout(timeout);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Logged on the server only; the person sees the ErrorBoundary, never a stack trace. An
          // error before the shell is Remix's to log (handleError), as it renders the error page.
          if (shellRendered) logger().error({ err: error, requestId: currentRequest()?.requestId }, "rendering failed");
        },
      },
    );
  });
}

/** The `.data` responses a page's scripts fetch: the same rule as the page. */
export function handleDataRequest(response: Response) {
  if (response.headers.has("Cache-Control")) return response;
  const headers = new Headers(response.headers);
  storeNothingUnlessSaid(headers);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  // With its stack, and the request id the person sees on the error page.
  logger().error({ err: error, requestId: currentRequest()?.requestId }, "request failed");
}
