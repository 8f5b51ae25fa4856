/**
 * How the hardening suites probe the routes of the build. Who may use each route is stated once,
 * in the app (app/auth/policy.ts: ABILITIES and ROUTE_ACCESS); this file only says how to ask: the
 * kinds of visitor, the query strings to try beside the bare address, and what each access means
 * for a collection in each state.
 *
 * Outcomes:
 * - "ok": allowed: the page, its data, a download, a redirect within the portal, or a refused
 *   form (a 4xx with messages) for the empty form the matrix posts; never 404, 403 or sign-in.
 * - "login": a redirect to /login?returnTo=<this address>.
 * - "404": refused as if it did not exist.
 * - "401": the machine API without a live token (problem details, never a sign-in page).
 */
import { isReturnAbility, may, tokenMay, type Access, type Person, type RouteId, type TokenGrant } from "#app/auth/policy.ts";

export const ROLES = ["anonymous", "officerOwn", "officerOther", "coordinator", "coordinatorNotAdmin", "analyst"] as const;
export type Role = (typeof ROLES)[number];
export type Outcome = "ok" | "login" | "404" | "401";
/** The status of the collection an address names: "draft" is a coordinator's, not yet published. */
export type CollectionStatus = "open" | "closed" | "draft";

interface Probe {
  /** Query strings to try on the loader, beside the bare address. */
  search?: string[];
  /** The sign-in forms (password, then code) and the set-password form carry the double-submit token, not a session's. */
  csrf?: "anonymous";
}

export const PROBES: Partial<Record<RouteId, Probe>> = {
  "routes/login": { csrf: "anonymous", search: ["?returnTo=%2Foutbox"] },
  "routes/set-password.$token": { csrf: "anonymous" },
  "routes/forgot-password": { csrf: "anonymous", search: ["?sent"] },
  "routes/login_.code": { csrf: "anonymous", search: ["?returnTo=%2Foutbox", "?use=recovery"] },
  "routes/account.two-factor": { search: ["?returnTo=%2Fcatalogue"] },
  "routes/account.sessions": { search: ["?done=ended"] },
  "routes/account.notifications": { search: ["?done=saved"] },
  "routes/admin.users.$userId._index": { search: ["?done=resent", "?done=sessionsEnded"] },
  "routes/language": { search: ["?lang=cy&returnTo=%2Fcatalogue"] },
  // Another authority's line on the trend page: Newport and Cardiff, the Vale and Powys.
  "routes/items.$itemCode": { search: ["?authority=W06000022", "?authority=W06000015", "?authority=W06000014", "?authority=W06000023"] },
  "routes/collections.$code.items.$itemCode": { search: ["?sort=value&dir=desc&colour=state"] },
  "routes/collections.$code.values[.]csv": { search: ["?lang=cy"] },
  "routes/collections.$code.export[.]xlsx": { search: ["?publish=1"] },
  "routes/statistics.$code._index": { search: ["?lang=cy"] },
  "routes/statistics.$code.workbook[.]xlsx": { search: ["?lang=cy"] },
  "routes/denominators": { search: ["?loaded=census_2021_usual_residents"] },
  "routes/denominators_.items": { search: ["?saved=care_leavers_21_25"] },
  // The chase's check page, with the board's filters to go back to, and an address elsewhere it must not lead to.
  "routes/collections.$code.chase.$authorityCode": {
    search: [
      "?returnTo=%2Fcollections%2F2026-12-care-experienced-parents%2Fboard%3Fregion%3Dgwent",
      "?returnTo=https%3A%2F%2Fexample.com%2F",
    ],
  },
};

/** The person each kind of visitor is, for an address naming `authority` (Cardiff when it names none). */
export function personOf(role: Role, authority: string, other: string): Person | null {
  switch (role) {
    case "anonymous":
      return null;
    case "officerOwn":
      return { role: "officer", authorityCode: authority };
    case "officerOther":
      return { role: "officer", authorityCode: other };
    case "coordinator":
      return { role: "coordinator", authorityCode: null, isAdmin: true };
    case "coordinatorNotAdmin":
      return { role: "coordinator", authorityCode: null, isAdmin: false };
    case "analyst":
      return { role: "analyst", authorityCode: null };
  }
}

/**
 * The API token each kind of visitor holds (the anonymous visitor none): an officer's fills in
 * their own authority's returns, everyone else's reads figures.
 */
export function tokenOf(person: Person | null): TokenGrant | null {
  if (!person) return null;
  return person.role === "officer"
    ? { scope: "returns:write", authorityCode: person.authorityCode }
    : { scope: "figures:read", authorityCode: null };
}

/** What the app's access line gives this person at an address naming this authority and a collection of this status. */
export function expectedOutcome(
  access: Access,
  person: Person | null,
  at: { authority: string; status: CollectionStatus | null },
): Outcome {
  if (access === "public") return "ok";
  if (access === "nobody") return "404";
  // The demo's closed round, February 2023, has its statistics published (seeds/demo.ts); no other has.
  if (access === "publishedStatistics") return at.status === "closed" ? "ok" : "404";
  if ("token" in access) {
    const token = tokenOf(person);
    if (!person || !token) return "401";
    if (!tokenMay(person, token, access, at.authority)) return "404";
    const named = access.token === "returns:write" || access.collection === "published";
    return named && at.status === "draft" ? "404" : "ok";
  }
  if (!person) return "login";
  if (isReturnAbility(access.may)) return at.status !== "draft" && may(person, access.may, at.authority) ? "ok" : "404";
  if (!may(person, access.may)) return "404";
  const collection = "collection" in access ? access.collection : undefined;
  return collection === "published" && at.status === "draft" ? "404" : "ok";
}
