/**
 * Whose figures a person may read (product.md, "Who sees what"). Every function that reads figures
 * (totals, coverage, trends, history, previous rounds, peers, cells, exports) takes a Reader and asks
 * it, in its SQL, which figures it may return. Only this module makes a Reader: the class is not
 * exported, and its private fields keep an object of the same shape from passing for one.
 *
 * Coordinators and analysts read every authority's figures. An officer reads their own authority's,
 * and another authority's figure only once its round is closed, the coordinator has let officers
 * compare, and the figure is accepted. A total, rate or trend point is shown to a reader only when
 * every figure it is made of is one they could read alone; otherwise they get its coverage only.
 */
import { sql, type RawBuilder } from "kysely";
import { may, type Person } from "./policy.ts";

/** Where, in the caller's query, a figure's collection, return and authority code are. */
export interface FigureRefs {
  collection: string;
  ret: string;
  authorityCode: string;
}

class Reader {
  constructor(
    /** Every authority's figures, whatever the round's state. */
    private readonly everyAuthority: boolean,
    /** The officer's own authority, whose figures they always see. */
    private readonly ownAuthority: string | null,
  ) {}

  /** SQL: whether this reader may see the figure of this return (true or false, never null). */
  sees(at: FigureRefs): RawBuilder<boolean> {
    if (this.everyAuthority) return sql<boolean>`true`;
    const c = (column: string) => sql.ref(`${at.collection}.${column}`);
    const comparable = sql`${c("status")} = 'closed' and ${c("officers_may_compare")} and ${sql.ref(`${at.ret}.status`)} = 'accepted'`;
    return sql<boolean>`(${sql.ref(at.authorityCode)} is not distinct from ${this.ownAuthority} or coalesce(${comparable}, false))`;
  }

  /**
   * SQL, an aggregate: whether this reader may see every figure of the group that `among` selects
   * (true when it selects none), so a total of them may be shown.
   */
  seesEvery(at: FigureRefs, among: RawBuilder<boolean>): RawBuilder<boolean> {
    if (this.everyAuthority) return sql<boolean>`true`;
    return sql<boolean>`coalesce(bool_and(${this.sees(at)}) filter (where ${among}), true)`;
  }
}

export type { Reader };

/** The reader a signed-in person reads as. */
export function readerFor(person: Person): Reader {
  return may(person, "readEveryFigure") ? new Reader(true, null) : new Reader(false, person.authorityCode);
}

/**
 * The portal reading for its own checks (the outlier check compares a return with every other
 * authority's): what such a read finds may reach a person only as a finding about their own figure.
 */
export const SYSTEM_READER = new Reader(true, null);
