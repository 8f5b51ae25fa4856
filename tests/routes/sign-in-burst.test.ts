/**
 * A burst of simultaneous guesses: before, the throttle counted an attempt only after checking its
 * password, so of 50 guesses sent at once 48 were checked against the hash and a correct one in the
 * burst was let in. Now each attempt is counted first, under a lock on the account: N guesses cost N,
 * and once the limit is reached the rest are refused unchecked, the right password among them.
 */
import { describe, expect, it } from "vitest";
import { signIn as signInModel, THROTTLE } from "#app/models/sign-in.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { OFFICER } from "../support/requests.ts";

const ADDRESS = "198.51.100.50";

describe("sign-in under a burst of simultaneous guesses", () => {
  const db = useDemoDatabase();

  it("counts 50 parallel guesses as 50, checks no more than the limit, and refuses a correct one sent once the limit is reached", async () => {
    const email = OFFICER.newport;
    const attempt = (password: string) => signInModel(db(), { email, password, address: ADDRESS, sleep: async () => {} });
    const counted = async () =>
      Number(
        (
          await db()
            .selectFrom("sign_in_attempt")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("email", "=", email)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const wrong = Array.from({ length: 50 }, (_, i) => attempt(`wrong-guess-${i}`));
    // The right password, sent while the wrong ones are still being checked, once the limit's worth
    // of them has been counted.
    const right = (async () => {
      while ((await counted()) < THROTTLE.refuseAfter) await new Promise((r) => setTimeout(r, 5));
      return attempt("demo-password-2023");
    })();
    const results = await Promise.all([...wrong, right]);
    const audit = await db()
      .selectFrom("audit_log")
      .select(["action"])
      .where("action", "in", ["session.sign_in", "session.sign_in_failed", "session.sign_in_refused"])
      .execute();
    const tally = (action: string) => audit.filter((a) => a.action === action).length;
    console.log(
      `sign-in burst: 51 attempts at once; ${tally("session.sign_in_failed")} passwords checked and wrong, ${tally("session.sign_in_refused")} refused unchecked, ${tally("session.sign_in")} let in`,
    );
    expect(results.at(-1)).toMatchObject({ ok: false, reason: "throttled" });
    expect(results.filter((r) => r.ok)).toHaveLength(0);
    expect(await counted()).toBe(THROTTLE.refuseAfter);
    expect(tally("session.sign_in_failed")).toBe(THROTTLE.refuseAfter);
    expect(tally("session.sign_in_refused")).toBe(51 - THROTTLE.refuseAfter);
    expect(tally("session.sign_in")).toBe(0);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(51 - THROTTLE.refuseAfter);
  }, 120_000);
});
