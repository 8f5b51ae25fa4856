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
    const comparable = sql`${this.comparesIn(at.collection)} and ${sql.ref(`${at.ret}.status`)} = 'accepted'`;
    return sql<boolean>`(${sql.ref(at.authorityCode)} is not distinct from ${this.ownAuthority} or coalesce(${comparable}, false))`;
  }

  /**
   * Whether this reader may see the authority's draft (the working copy of its return, never
   * submitted, or being amended): its own officers only. Everyone else, coordinators and analysts
   * included, reads what the authority last submitted (product.md, "Who uses it").
   */
  seesDraftOf(authorityCode: string): boolean {
    return this.ownAuthority !== null && this.ownAuthority === authorityCode;
  }

  /**
   * SQL: whether this reader may see other authorities' accepted figures in the round at `collection`
   * (its alias in the caller's query): in every round for a reader of every authority; for an
   * officer, once the round is closed and the coordinator lets officers compare.
   */
  comparesIn(collection: string): RawBuilder<boolean> {
    if (this.everyAuthority) return sql<boolean>`true`;
    const c = (column: string) => sql.ref(`${collection}.${column}`);
    return sql<boolean>`(${c("status")} = 'closed' and ${c("officers_may_compare")})`;
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
 * What an officer of the authority reads. The checks of a return read as its authority: a check's
 * finding is a yes or a no that anyone who may fill in the return can ask for again and again with
 * other figures, so it must rest on nothing the authority's officers may not see.
 */
export function authorityReader(authorityCode: string): Reader {
  return new Reader(false, authorityCode);
}

/** The portal reading for its own work, never for a person: the seeds publishing a round's statistics. */
export const SYSTEM_READER = new Reader(true, null);
