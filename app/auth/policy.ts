/**
 * Who may do what: the one statement of it. The abilities below say which people may do each
 * thing; the route table says which ability each route's loader and action needs. The route guard
 * (guard.server.ts), the page flags (`may`) and the access-matrix test all read these two tables.
 * Whose figures a person may read is the reader's business: policy.server.ts.
 */
import type { ApiScope, Role } from "#db/types.ts";

/** A person as the policy sees them: a signed-in user, or one acting for the portal's rules (an actor). */
export interface Person {
  role: Role | "system";
  authorityCode: string | null;
  isAdmin?: boolean;
}

interface AbilityRule {
  /** Everyone of these roles may. */
  roles: readonly Role[];
  /** Only an admin of these roles. */
  admin?: true;
  /**
   * The ability names one authority's return. true: an officer may, for their own authority's
   * return; false: no officer may (the roles above may, on any return).
   */
  ownAuthority?: boolean;
}

export const ABILITIES = {
  /** Sign in and read what the portal shows: home, collections, items and trends (whose figures, the reader decides). */
  usePortal: { roles: ["officer", "coordinator", "analyst"] },
  manageAccounts: { roles: ["coordinator"], admin: true },
  readCatalogue: { roles: ["coordinator", "analyst"] },
  editCatalogue: { roles: ["coordinator"] },
  designCollections: { roles: ["coordinator"] },
  /** The coordinator's desk: the board, chases, the bulk import and the outbox. */
  runRounds: { roles: ["coordinator"] },
  /** Every authority's figures and reasons, whatever the round's state: the gaps view. */
  readEveryFigure: { roles: ["coordinator", "analyst"] },
  exportFigures: { roles: ["coordinator", "analyst"] },
  /** Raise and resolve queries on a return, and accept it. */
  reviewReturns: { roles: ["coordinator"] },
  /** The same on one return the address names (its queries, its acceptance): no officer may, on any return. */
  reviewReturn: { roles: ["coordinator"], ownAuthority: false },
  readReturn: { roles: ["coordinator", "analyst"], ownAuthority: true },
  /** Reply to the return's queries and download its template. */
  workOnReturn: { roles: ["coordinator"], ownAuthority: true },
  /** Change the return's values, submit and amend it: its own officers only (the portal's imports aside). */
  fillInReturn: { roles: [], ownAuthority: true },
} as const satisfies Record<string, AbilityRule>;

export type Ability = keyof typeof ABILITIES;
/** The abilities that name one authority's return. */
export type ReturnAbility = { [A in Ability]: (typeof ABILITIES)[A] extends { ownAuthority: boolean } ? A : never }[Ability];
export type PortalAbility = Exclude<Ability, ReturnAbility>;

export function isReturnAbility(ability: Ability): ability is ReturnAbility {
  return "ownAuthority" in ABILITIES[ability];
}

/** Whether this person (null: not signed in) may do this; for a return ability, on this authority's return. */
export function may(person: Person | null, ability: PortalAbility): boolean;
export function may(person: Person | null, ability: ReturnAbility, authorityCode: string): boolean;
export function may(person: Person | null, ability: Ability, authorityCode?: string): boolean {
  if (!person || person.role === "system") return false;
  const rule: AbilityRule = ABILITIES[ability];
  if (rule.ownAuthority && person.role === "officer") return person.authorityCode !== null && person.authorityCode === authorityCode;
  return rule.roles.includes(person.role) && (!rule.admin || person.isAdmin === true);
}

/**
 * Coordinators and admins must sign in with a second factor (an authenticator app); officers and
 * analysts may choose to. One who must and has none is sent to set it up before anything else.
 */
export function mustHaveTwoFactor(person: Person) {
  return person.role === "coordinator" || person.isAdmin === true;
}

/**
 * Who may hold an API token of a scope (issue 18): `returns:write` for one authority's return, by
 * whoever may fill that return in (its officers); `figures:read` by those who read every figure.
 * Asked when the token is made and again on every request, of the owner as they are then.
 */
export function mayHoldToken(owner: Person, scope: ApiScope, authorityCode: string | null): boolean {
  if (scope === "returns:write") return authorityCode !== null && may(owner, "fillInReturn", authorityCode);
  return may(owner, "readEveryFigure");
}

/** An admin makes tokens for others (an authority's system, on an officer's account); anyone else for themselves. */
export function mayIssueToken(
  issuer: Person & { id: number },
  owner: Person & { id: number },
  scope: ApiScope,
  authorityCode: string | null,
) {
  return (issuer.id === owner.id || may(issuer, "manageAccounts")) && mayHoldToken(owner, scope, authorityCode);
}

/** What an API address needs of a token: any live one, or one that fills in the return the address names. */
export type TokenAccess = { token: "any"; collection?: "published" } | { token: "returns:write" };

/** A token as the policy sees it. */
export interface TokenGrant {
  scope: ApiScope;
  authorityCode: string | null;
}

/**
 * Whether a token, acting for its owner as the owner is now, may use an API address of this
 * access; `authorityCode` is the authority whose return the address names. A token can never do
 * more than its owner could in the browser: what it reads goes through the owner's reader.
 */
export function tokenMay(owner: Person, token: TokenGrant, access: TokenAccess, authorityCode?: string): boolean {
  if (!mayHoldToken(owner, token.scope, token.authorityCode)) return false;
  if (access.token === "returns:write") {
    return token.scope === "returns:write" && authorityCode !== undefined && token.authorityCode === authorityCode;
  }
  return may(owner, "usePortal");
}

/**
 * What a route's loader or action needs:
 * - "public": anyone, signed in or not (the route guards its own forms, e.g. with a double-submit token);
 * - "nobody": there is nothing at this address for anyone;
 * - a token (the machine API, `/api/v1`): a bearer token, never a session; none or a dead one is a
 *   401, one that may not a 404 (token.ts guards these routes, guard.server.ts the others);
 * - "publishedStatistics": anyone, signed in or not, for a round whose statistics are published
 *   (`:code`); a 404 for any other round, whatever its state (statistics.server.ts);
 * - an ability: anyone not signed in is sent to sign in, anyone without it gets a 404. A return
 *   ability reads the return the address names (`:collectionCode/:authorityCode`, a published
 *   collection); `collection` reads the collection it names (`:code`), "published" refusing a draft.
 *   A person who must have a second factor and has none is sent to set it up, except on the pages
 *   marked `beforeTwoFactor` (setting it up, signing out).
 */
export type Access =
  | "public"
  | "nobody"
  | "publishedStatistics"
  | { may: ReturnAbility }
  | { may: PortalAbility; collection?: "any" | "published"; beforeTwoFactor?: true }
  | TokenAccess;

export interface RouteAccess {
  loader?: Access;
  action?: Access;
}

const signedIn = { may: "usePortal" } as const;
const settingUpTwoFactor = { may: "usePortal", beforeTwoFactor: true } as const;
const accounts = { may: "manageAccounts" } as const;
const editCatalogue = { may: "editCatalogue" } as const;
const design = { may: "designCollections", collection: "any" } as const;
const desk = { may: "runRounds", collection: "any" } as const;
const deskPublished = { may: "runRounds", collection: "published" } as const;
const exportPublished = { may: "exportFigures", collection: "published" } as const;
const fillIn = { may: "fillInReturn" } as const;
const review = { may: "reviewReturns", collection: "published" } as const;
const apiAny = { token: "any" } as const;
const apiCollection = { token: "any", collection: "published" } as const;
const apiReturn = { token: "returns:write" } as const;
const reviewOne = { may: "reviewReturn" } as const;

/** Every route of the build, by its id (`routes/<file name>`); the access matrix fails for a route missing here. */
export const ROUTE_ACCESS = {
  root: { loader: "public" },
  "routes/_index": { loader: signedIn },
  "routes/login": { loader: "public", action: "public" },
  // A GET of /logout goes home; only the form signs out.
  "routes/logout": { loader: "public", action: settingUpTwoFactor },
  // The second step of signing in, for a person with a second factor: before there is a session.
  "routes/login_.code": { loader: "public", action: "public" },
  // A person's own second factor: set it up (coordinators and admins must, before anything else).
  "routes/account.two-factor": { loader: settingUpTwoFactor, action: settingUpTwoFactor },
  // The link sets the cookie; the signed-in switch posts, changing the account (audited).
  "routes/language": { loader: "public", action: settingUpTwoFactor },
  "routes/set-password.$token": { loader: "public", action: "public" },
  // Asking for a link to choose a new password: the same answer whether or not the account exists.
  "routes/forgot-password": { loader: "public", action: "public" },
  // An address no other route matches: a 404 for everyone, drawn in the person's language with the navigation.
  "routes/$": { loader: "nobody" },
  // Each person's own sessions, to see and end.
  "routes/account.sessions": { loader: signedIn, action: signedIn },
  // How each person hears about each kind of notification: an email each time or a daily digest.
  "routes/account.notifications": { loader: signedIn, action: signedIn },
  // The accessibility statement: a page with no loader, the same for everyone.
  "routes/accessibility": {},

  "routes/admin.users._index": { loader: accounts },
  "routes/admin.users.new": { loader: accounts, action: accounts },
  "routes/admin.users.$userId._index": { loader: accounts, action: accounts },
  "routes/admin.users.$userId.deactivate": { loader: accounts, action: accounts },
  "routes/admin.users.$userId.two-factor": { loader: accounts, action: accounts },
  "routes/admin.users.$userId.reactivate": { loader: accounts, action: accounts },

  "routes/catalogue._index": { loader: { may: "readCatalogue" }, action: editCatalogue },
  "routes/catalogue.new": { loader: editCatalogue, action: editCatalogue },
  // The populations rates are per: a coordinator loads a table of them from CSV.
  "routes/denominators": { loader: editCatalogue, action: editCatalogue },
  "routes/denominators_.items": { loader: editCatalogue, action: editCatalogue },
  "routes/collections.new": { loader: { may: "designCollections" }, action: { may: "designCollections" } },
  "routes/outbox": { loader: { may: "runRounds" }, action: { may: "runRounds" } },
  // Trying a given-up email again is a POST from the outbox page: its address leads back there.
  "routes/outbox_.$emailId.retry": { loader: { may: "runRounds" }, action: { may: "runRounds" } },
  "routes/outbox_.$emailId.decide": { loader: { may: "runRounds" }, action: { may: "runRounds" } },
  "routes/exports.all-collections[.]xlsx": { loader: { may: "exportFigures" } },
  "routes/items.$itemCode": { loader: signedIn },

  "routes/collections.$code._index": { loader: { may: "usePortal", collection: "published" } },
  "routes/collections.$code.items.$itemCode": { loader: { may: "usePortal", collection: "published" } },
  "routes/collections.$code.gaps": { loader: { may: "readEveryFigure", collection: "published" } },
  "routes/collections.$code.values[.]csv": { loader: exportPublished },
  // The workbook for publication is a POST: it records a release of the round.
  "routes/collections.$code.export[.]xlsx": { loader: exportPublished, action: exportPublished },
  // The coordinator's desk: drafts included.
  "routes/collections.$code.board": { loader: desk },
  "routes/collections.$code.chase-list[.]csv": { loader: desk },
  // Accepting several clean returns at once: a choice, a confirmation, one transaction.
  "routes/collections.$code.accept": { loader: review, action: review },
  "routes/collections.$code.design": { loader: design, action: design },
  "routes/collections.$code.preview": { loader: design },
  // Publishing, closing and reopening a round: a confirmation page of what will happen, then the step.
  "routes/collections.$code.status": { loader: design, action: design },
  // Bulk import of a workbook of every authority's figures, into a published collection.
  "routes/collections.$code.import._index": { loader: deskPublished, action: deskPublished },
  "routes/collections.$code.import.$uploadId": { loader: deskPublished, action: deskPublished },
  // A chase: the page of what it will send (to whom, what it says), then the POST that sends it.
  "routes/collections.$code.chase.$authorityCode": { loader: deskPublished, action: deskPublished },
  // Publishing a closed round's statistics, and withdrawing them: the confirmation page is shown for any round.
  "routes/collections.$code.statistics": { loader: desk, action: desk },

  // Published statistics: anyone, without signing in; the figures went through the suppression plan.
  "routes/statistics._index": { loader: "public" },
  "routes/statistics.$code._index": { loader: "publishedStatistics" },
  "routes/statistics.$code.workbook[.]xlsx": { loader: "publishedStatistics" },
  "routes/statistics.$code.values[.]csv": { loader: "publishedStatistics" },
  "routes/statistics.$code.statswales[.]csv": { loader: "publishedStatistics" },
  "routes/statistics.$code.items[.]csv": { loader: "publishedStatistics" },

  // One authority's return: its own officers; coordinators and analysts read; nobody else.
  "routes/returns.$collectionCode.$authorityCode._index": { loader: { may: "readReturn" }, action: fillIn },
  // The coordinator's questions on a return (queries), the thread of each, and acceptance.
  "routes/returns.$collectionCode.$authorityCode.queries.new": { loader: reviewOne, action: reviewOne },
  "routes/returns.$collectionCode.$authorityCode.queries.$queryId": { loader: { may: "workOnReturn" }, action: { may: "workOnReturn" } },
  "routes/returns.$collectionCode.$authorityCode.accept": { loader: reviewOne, action: reviewOne },
  "routes/returns.$collectionCode.$authorityCode.history": { loader: { may: "readReturn" } },
  "routes/returns.$collectionCode.$authorityCode.check": { loader: fillIn, action: fillIn },
  "routes/returns.$collectionCode.$authorityCode.amend": { loader: fillIn, action: fillIn },
  "routes/returns.$collectionCode.$authorityCode.template[.]xlsx": { loader: { may: "workOnReturn" } },
  "routes/returns.$collectionCode.$authorityCode.upload": { loader: fillIn, action: fillIn },
  "routes/returns.$collectionCode.$authorityCode.submitted": { loader: fillIn },

  // API tokens: each person's own (an admin's page also lists and revokes everyone's).
  "routes/api-tokens._index": { loader: signedIn, action: signedIn },
  // A revocation is a POST from the list: there is nothing to show at this address.
  "routes/api-tokens.revoke": { loader: signedIn, action: signedIn },

  // The machine API (issue 18): bearer tokens only. The document and its reference page are public.
  "routes/api.v1.openapi[.]json": { loader: "public" },
  "routes/api.v1.docs": { loader: "public" },
  "routes/api.v1.collections._index": { loader: apiAny },
  "routes/api.v1.collections.$code._index": { loader: apiCollection },
  "routes/api.v1.collections.$code.figures": { loader: apiCollection },
  "routes/api.v1.returns.$collectionCode.$authorityCode.draft": { loader: apiReturn, action: apiReturn },
  "routes/api.v1.returns.$collectionCode.$authorityCode.validate": { loader: "nobody", action: apiReturn },
  // Any other address under /api/: a 404 as problem details.
  "routes/api.$": { loader: "nobody", action: "nobody" },
} as const satisfies Record<string, RouteAccess>;

export type RouteId = keyof typeof ROUTE_ACCESS;

/** Who may call a route's loader or action, as ROUTE_ACCESS says; undefined where the route has none. */
export function accessOf(route: RouteId, method: "loader" | "action"): Access | undefined {
  return (ROUTE_ACCESS[route] as Partial<Record<"loader" | "action", Access>>)[method];
}
