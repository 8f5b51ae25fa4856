/**
 * An API route's loader or action whose unexpected errors are answered as the API answers
 * everything: problem details (500, in the language asked for, with the request's id when the
 * server gave it one), logged as Remix logs one. Remix's own answer would be a plain-text 500 that
 * a client cannot parse.
 */
import { logger } from "#app/log.server.ts";
import { currentRequest } from "#app/web/request-context.server.ts";
import { problem } from "./problem.server.ts";
import { requestLanguage } from "./token.server.ts";

export function answeringProblems<Args extends { request: Request }>(handler: (args: Args) => Promise<Response>) {
  return async (args: Args): Promise<Response> => {
    try {
      return await handler(args);
    } catch (error) {
      // A refusal (a 401, a 404) is an answer already.
      if (error instanceof Response) throw error;
      const requestId = currentRequest()?.requestId;
      logger().error({ err: error, requestId }, "request failed");
      return problem(requestLanguage(args.request), "internal", requestId ? { extra: { requestId } } : {});
    }
  };
}
