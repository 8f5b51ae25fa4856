/**
 * What the server knows about the request being answered, for its log line: the request id, and
 * who is signed in once the session has been read. Kept in an AsyncLocalStorage on globalThis, so
 * the server (server/) and the Remix build, which bundles its own copy of this module, share one.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestContext {
  requestId: string;
  userId?: number;
}

declare global {
  var __portalRequestContext: AsyncLocalStorage<RequestContext> | undefined;
}

export function requestContextStorage() {
  globalThis.__portalRequestContext ??= new AsyncLocalStorage<RequestContext>();
  return globalThis.__portalRequestContext;
}

/** The request being answered, or undefined outside one (a test calling a loader, the worker). */
export function currentRequest(): RequestContext | undefined {
  return requestContextStorage().getStore();
}
