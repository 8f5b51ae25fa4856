/** Every kind of refusal the machine API answers with. Listed on the API docs page, in the browser too. */
export const PROBLEM_KINDS = [
  "unauthorized",
  "notFound",
  "throttled",
  "methodNotAllowed",
  "unsupportedMediaType",
  "badBody",
  "preconditionRequired",
  "conflict",
  "notEditable",
  "collectionNotOpen",
  "notYetOpen",
  "invalid",
  // Refused before the API's own handling (server/requests.ts), as for any address.
  "crossOrigin",
  "lengthRequired",
  "tooLarge",
  // An error of the portal's own, answered as the API answers everything (answeringProblems).
  "internal",
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];
