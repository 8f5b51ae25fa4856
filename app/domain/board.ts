import type { Language, ReturnStatus } from "#db/types.ts";
import { compareText } from "#app/i18n/i18n.ts";

/** The statuses the completeness board counts and filters by. Shared: the board renders them. */
export const BOARD_STATUSES = ["notStarted", "draft", "submitted", "queried", "accepted", "overdue"] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

export function boardStatusOf(row: { status: ReturnStatus | null }): Exclude<BoardStatus, "overdue"> {
  return row.status ?? "notStarted";
}

/** What waits for a coordinator on their landing page, in the order it is shown. */
export const QUEUE_KINDS = ["submitted", "reply", "amendment", "changedAfterAcceptance", "pastDue"] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/** The columns the board sorts by, through links in its header (no JavaScript needed). */
export const BOARD_SORTS = ["authority", "region", "status", "lastActivity", "lastChased"] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

export interface BoardFilter {
  status: BoardStatus | null;
  region: string | null;
  sort: BoardSort;
  dir: "asc" | "desc";
}

interface BoardRowLike {
  status: ReturnStatus | null;
  overdue: boolean;
  region_code: string;
  region_en: string;
  region_cy: string;
  name_en: string;
  name_cy: string;
  lastActivity: Date | string | null;
  lastChasedAt: Date | string | null;
}

/** The board's filter and sort as an address gives them; anything unknown is left out. */
export function readBoardFilter(search: URLSearchParams, regionCodes: string[]): BoardFilter {
  const status = search.get("status");
  const region = search.get("region");
  const sort = search.get("sort");
  return {
    status: (BOARD_STATUSES as readonly string[]).includes(status ?? "") ? (status as BoardStatus) : null,
    region: region && regionCodes.includes(region) ? region : null,
    sort: (BOARD_SORTS as readonly string[]).includes(sort ?? "") ? (sort as BoardSort) : "authority",
    dir: search.get("dir") === "desc" ? "desc" : "asc",
  };
}

/** The address of the board (or its chase list) with this filter: defaults left out, so addresses stay short. */
export function boardSearch(filter: BoardFilter, change: Partial<BoardFilter> = {}) {
  const f = { ...filter, ...change };
  const params = new URLSearchParams();
  if (f.status) params.set("status", f.status);
  if (f.region) params.set("region", f.region);
  if (f.sort !== "authority") params.set("sort", f.sort);
  if (f.dir !== "asc") params.set("dir", f.dir);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The board's parameters that say what was just done (its banners), not how it is filtered. */
const BOARD_BANNERS = ["chased", "refused", "accepted"];

/**
 * The board's own address from a `returnTo` a link or form carried from it: its filters and sort
 * kept, its banners dropped, then `set`. Any other address gives the bare board: a page never
 * sends a person elsewhere from a parameter.
 */
export function boardReturn(collectionCode: string, returnTo: string | null | undefined, set: Record<string, string> = {}) {
  const board = `/collections/${encodeURIComponent(collectionCode)}/board`;
  const back = new URLSearchParams(returnTo?.startsWith(`${board}?`) ? returnTo.slice(board.length + 1) : "");
  for (const banner of BOARD_BANNERS) back.delete(banner);
  for (const [name, value] of Object.entries(set)) back.set(name, value);
  const search = back.toString();
  return search ? `${board}?${search}` : board;
}

const STATUS_ORDER: Record<Exclude<BoardStatus, "overdue">, number> = { notStarted: 0, draft: 1, submitted: 2, queried: 3, accepted: 4 };
const time = (at: Date | string | null) => (at === null ? Number.NEGATIVE_INFINITY : new Date(at).getTime());

/**
 * The rows the filter shows, in its order; ties, and every sort's second key, go by authority name,
 * names as a reader of `lang` reads and orders them.
 */
export function filterBoard<R extends BoardRowLike>(rows: R[], filter: BoardFilter, lang: Language): R[] {
  const shown = rows.filter(
    (r) =>
      (!filter.status || (filter.status === "overdue" ? r.overdue : boardStatusOf(r) === filter.status)) &&
      (!filter.region || r.region_code === filter.region),
  );
  const nameOf = (r: R) => (lang === "cy" ? r.name_cy : r.name_en);
  const key = (r: R): number | string => {
    switch (filter.sort) {
      case "region":
        return lang === "cy" ? r.region_cy : r.region_en;
      case "status":
        return STATUS_ORDER[boardStatusOf(r)];
      case "lastActivity":
        return time(r.lastActivity);
      case "lastChased":
        return time(r.lastChasedAt);
      default:
        return nameOf(r);
    }
  };
  const sign = filter.dir === "desc" ? -1 : 1;
  return [...shown].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    const primary = typeof ka === "number" && typeof kb === "number" ? ka - kb : compareText(lang, String(ka), String(kb));
    return primary !== 0 ? sign * primary : compareText(lang, nameOf(a), nameOf(b));
  });
}
