import type { TestContext } from "vitest";

/**
 * The work a test starts beside itself (loops of requests, streams of saves): stopped when the test
 * ends, and when it times out, and awaited before the next test of the file starts. Without it a
 * timed-out test's loops go on writing into the file's shared database under the next test.
 */
export function workOfTest({ signal, onTestFinished }: Pick<TestContext, "signal" | "onTestFinished">) {
  const stop = new AbortController();
  signal.addEventListener("abort", () => stop.abort(signal.reason), { once: true });
  const running = new Set<Promise<unknown>>();
  const cleanups: (() => Promise<unknown>)[] = [];
  onTestFinished(async () => {
    stop.abort(new Error("the test ended"));
    await Promise.allSettled(running);
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return {
    /** Aborted when the test ends or times out: each loop checks it before its next step. */
    signal: stop.signal,
    /** Work of the test: the test's end (a timeout too) waits for it to settle. */
    track<T>(work: Promise<T>): Promise<T> {
      running.add(work);
      return work;
    },
    /** Runs when the test has ended, however it ended, once its work has settled: stops a server it started. */
    atEnd(cleanup: () => Promise<unknown>) {
      cleanups.push(cleanup);
    },
  };
}
