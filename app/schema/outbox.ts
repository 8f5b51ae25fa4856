/** What a coordinator may decide about an email a worker handed over and never saw answered. Read by the outbox page in the browser too. */
export const UNCERTAIN_DECISIONS = ["mark_sent", "send_again"] as const;
export type UncertainDecision = (typeof UNCERTAIN_DECISIONS)[number];
