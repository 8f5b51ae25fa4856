/**
 * Who may use each route: the explicit table the access matrix checks every route of the build
 * against, and the security-header test fetches. A route in the build that is not in this table
 * fails the access matrix: a new route must be added here, with who may use it.
 *
 * Outcomes:
 * - "ok": allowed: the page, its data, a download, a redirect within the portal, or a refused
 *   form (a 4xx with messages) for the empty form the matrix posts; never 404, 403 or sign-in.
 * - "login": a redirect to /login?returnTo=<this address>.
 * - "404": refused as if it did not exist.
 *
 * A cell may differ by the status of the collection the address names ("open", "closed", or a
 * coordinator's "draft" not yet published).
 */

export const ROLES = ["anonymous", "officerOwn", "officerOther", "coordinator", "coordinatorNotAdmin", "analyst"] as const;
export type Role = (typeof ROLES)[number];
export type Outcome = "ok" | "login" | "404";
export type CollectionStatus = "open" | "closed" | "draft";
export type Cell = Outcome | Record<CollectionStatus, Outcome>;
export type Cells = Record<Role, Cell>;

export interface RouteRule {
  /** The manifest path, for the reader; checked against the build. */
  path: string;
  /** Absent for a route without a loader (a page that shows the same to everyone). */
  loader?: Cells;
  /** Absent for a route without an action. */
  action?: Cells;
  /** The sign-in and set-password forms carry the double-submit token, not a session's. */
  csrf?: "anonymous";
  /** Extra query strings to probe the loader with, beside the bare address. */
  search?: string[];
}

const cells = (fill: (role: Role) => Cell): Cells => Object.fromEntries(ROLES.map((r) => [r, fill(r)])) as Cells;

/** Only these roles; anyone else signed in gets a 404, anyone not signed in is sent to sign in. */
const only = (...roles: Role[]) => cells((r) => (r === "anonymous" ? "login" : roles.includes(r) ? "ok" : "404"));
const signedIn = only("officerOwn", "officerOther", "coordinator", "coordinatorNotAdmin", "analyst");
const everyone = cells(() => "ok");
const nobody = cells(() => "404");
const COORDINATORS: Role[] = ["coordinator", "coordinatorNotAdmin"];
const officerOwn = only("officerOwn");

/** As `base` for a published collection; a draft collection does not exist for these roles. */
function published(base: Cells, draftFor: Role[] = []): Cells {
  return cells((role) => {
    const cell = base[role];
    if (typeof cell !== "string") return cell;
    const draft: Outcome = role === "anonymous" ? "login" : draftFor.includes(role) ? cell : "404";
    return { open: cell, closed: cell, draft };
  });
}

export const ROUTE_TABLE: Record<string, RouteRule> = {
  root: { path: "", loader: everyone },
  "routes/_index": { path: "", loader: signedIn },
  "routes/login": { path: "login", loader: everyone, action: everyone, csrf: "anonymous", search: ["?returnTo=%2Foutbox"] },
  "routes/logout": {
    path: "logout",
    // A GET of /logout goes home; only the form signs out.
    loader: everyone,
    action: signedIn,
  },
  "routes/language": { path: "language", loader: everyone, search: ["?lang=cy&returnTo=%2Fcatalogue"] },
  "routes/healthz": { path: "healthz", loader: everyone },
  "routes/set-password.$token": { path: "set-password/:token", loader: everyone, action: everyone, csrf: "anonymous" },
  // The accessibility statement: a page with no loader, public.
  "routes/accessibility": { path: "accessibility" },

  "routes/admin.users._index": { path: "admin/users", loader: only("coordinator") },
  "routes/admin.users.new": { path: "admin/users/new", loader: only("coordinator"), action: only("coordinator") },
  "routes/admin.users.$userId.deactivate": {
    path: "admin/users/:userId/deactivate",
    loader: only("coordinator"),
    action: only("coordinator"),
  },

  "routes/catalogue._index": { path: "catalogue", loader: only(...COORDINATORS, "analyst"), action: only(...COORDINATORS) },
  "routes/catalogue.new": { path: "catalogue/new", loader: only(...COORDINATORS), action: only(...COORDINATORS) },
  "routes/collections.new": { path: "collections/new", loader: only(...COORDINATORS), action: only(...COORDINATORS) },
  "routes/outbox": { path: "outbox", loader: only(...COORDINATORS), action: only(...COORDINATORS) },
  "routes/exports.all-collections[.]xlsx": { path: "exports/all-collections.xlsx", loader: only(...COORDINATORS, "analyst") },
  "routes/items.$itemCode": { path: "items/:itemCode", loader: signedIn, search: ["?authority=W06000022", "?authority=W06000015"] },

  "routes/collections.$code._index": { path: "collections/:code", loader: published(signedIn) },
  "routes/collections.$code.items.$itemCode": {
    path: "collections/:code/items/:itemCode",
    loader: published(signedIn),
    search: ["?sort=value&dir=desc&colour=state"],
  },
  "routes/collections.$code.gaps": { path: "collections/:code/gaps", loader: published(only(...COORDINATORS, "analyst")) },
  "routes/collections.$code.values[.]csv": {
    path: "collections/:code/values.csv",
    loader: published(only(...COORDINATORS, "analyst")),
    search: ["?lang=cy"],
  },
  "routes/collections.$code.export[.]xlsx": {
    path: "collections/:code/export.xlsx",
    loader: published(only(...COORDINATORS, "analyst")),
    search: ["?publish=1"],
  },
  // The coordinator's desk: drafts included.
  "routes/collections.$code.board": { path: "collections/:code/board", loader: only(...COORDINATORS) },
  "routes/collections.$code.chase-list[.]csv": { path: "collections/:code/chase-list.csv", loader: only(...COORDINATORS) },
  "routes/collections.$code.design": { path: "collections/:code/design", loader: only(...COORDINATORS), action: only(...COORDINATORS) },
  "routes/collections.$code.preview": { path: "collections/:code/preview", loader: only(...COORDINATORS) },
  // Bulk import of a workbook of every authority's figures: coordinators, into a published collection.
  "routes/collections.$code.import._index": {
    path: "collections/:code/import",
    loader: published(only(...COORDINATORS)),
    action: published(only(...COORDINATORS)),
  },
  "routes/collections.$code.import.$uploadId": {
    path: "collections/:code/import/:uploadId",
    loader: published(only(...COORDINATORS)),
    action: published(only(...COORDINATORS)),
  },
  "routes/collections.$code.chase.$authorityCode": {
    path: "collections/:code/chase/:authorityCode",
    // A chase is a POST from the board: there is nothing to show at this address, to anyone.
    loader: nobody,
    action: published(only(...COORDINATORS)),
  },

  // One authority's return: its own officers; coordinators and analysts read; nobody else.
  "routes/returns.$collectionCode.$authorityCode._index": {
    path: "returns/:collectionCode/:authorityCode",
    loader: published(only("officerOwn", ...COORDINATORS, "analyst")),
    // Officers save; coordinators raise, answer and resolve queries and accept.
    action: published(only("officerOwn", ...COORDINATORS)),
  },
  "routes/returns.$collectionCode.$authorityCode.history": {
    path: "returns/:collectionCode/:authorityCode/history",
    loader: published(only("officerOwn", ...COORDINATORS, "analyst")),
  },
  "routes/returns.$collectionCode.$authorityCode.check": {
    path: "returns/:collectionCode/:authorityCode/check",
    loader: published(officerOwn),
    action: published(officerOwn),
  },
  "routes/returns.$collectionCode.$authorityCode.amend": {
    path: "returns/:collectionCode/:authorityCode/amend",
    loader: published(officerOwn),
    action: published(officerOwn),
  },
  // The return as a spreadsheet: its officers fill it in, coordinators may download it too.
  "routes/returns.$collectionCode.$authorityCode.template[.]xlsx": {
    path: "returns/:collectionCode/:authorityCode/template.xlsx",
    loader: published(only("officerOwn", ...COORDINATORS)),
  },
  "routes/returns.$collectionCode.$authorityCode.upload": {
    path: "returns/:collectionCode/:authorityCode/upload",
    loader: published(officerOwn),
    action: published(officerOwn),
  },
  "routes/returns.$collectionCode.$authorityCode.submitted": {
    path: "returns/:collectionCode/:authorityCode/submitted",
    loader: published(officerOwn),
  },
};

/** The outcome a cell gives for a collection of this status (or for an address naming none). */
export function outcomeOf(cell: Cell, status: CollectionStatus | null, id = ""): Outcome {
  if (typeof cell === "string") return cell;
  if (!status) throw new Error(`${id}: a cell that depends on the collection's status, on a route without a collection`);
  return cell[status];
}
