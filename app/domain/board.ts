import type { ReturnStatus } from "#db/types.ts";

/** The statuses the completeness board counts and filters by. Shared: the board renders them. */
export const BOARD_STATUSES = ["notStarted", "draft", "submitted", "queried", "accepted", "overdue"] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

export function boardStatusOf(row: { status: ReturnStatus | null }): Exclude<BoardStatus, "overdue"> {
  return row.status ?? "notStarted";
}

/** What waits for a coordinator on their landing page, in the order it is shown. */
export const QUEUE_KINDS = ["submitted", "reply", "amendment", "changedAfterAcceptance", "pastDue"] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];
