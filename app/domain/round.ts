import type { CollectionStatus } from "#db/types.ts";

/**
 * Where a round stands, for the words a page uses about authorities that have not submitted: while
 * it is open and not yet due they have "not submitted yet"; once it is due and still open they are
 * late; only a closed round has authorities that "did not reply".
 */
export type RoundStage = "collecting" | "overdue" | "closed";

export function roundStage(round: { status: CollectionStatus; due_on: string }, today: string): RoundStage {
  if (round.status === "closed") return "closed";
  return round.due_on < today ? "overdue" : "collecting";
}

/** A round takes answers from its opening date: before it, the date is what the officer is told. */
export function hasOpened(round: { opens_on: string }, today: string) {
  return round.opens_on <= today;
}

export type LifecycleStep = "publish" | "close" | "reopen";

/** The one step a round in this status can take: a draft is published, an open round closed, a closed one reopened. */
export function nextStep(status: CollectionStatus): LifecycleStep {
  return status === "draft" ? "publish" : status === "open" ? "close" : "reopen";
}
