/**
 * workOfTest (tests/support/test-work.ts): a test that times out stops its loops, and the next test
 * starts only once they have ended. The first test times out on purpose (it.fails passes when it
 * does); the second reads what the loop left.
 */
import { describe, expect, it } from "vitest";
import { workOfTest } from "./support/test-work.ts";

describe("work of a test that times out", () => {
  const loop = { steps: 0, ended: false, stoppedBy: "" };

  it.fails("times out while its loop runs", { timeout: 50 }, async (context) => {
    const work = workOfTest(context);
    await work.track(
      (async () => {
        while (!work.signal.aborted) {
          loop.steps++;
          await new Promise((resolve) => setImmediate(resolve));
        }
        loop.stoppedBy = String(work.signal.reason);
        loop.ended = true;
      })(),
    );
  });

  it("finds the loop stopped by the timeout before this test began", () => {
    expect(loop.steps).toBeGreaterThan(0);
    expect(loop.ended).toBe(true);
    expect(loop.stoppedBy).toMatch(/timed out/);
  });
});
