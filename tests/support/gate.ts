/**
 * A signal between a test and work it holds at one point (a transaction's callback, a transport):
 * a promise and the function that settles it, made together, so that opening the gate before the
 * work reaches it is kept. A resolver the work captures only when it gets there is lost if the
 * test calls it first, and the work then waits for ever.
 */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}
