/**
 * One deadline for a whole precheck: an AbortSignal that every step races against.
 */

/** A promise that rejects with `reason()` when `signal` aborts; never resolves. */
export function aborted(signal: AbortSignal, reason: () => Error): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(reason());
    else signal.addEventListener("abort", () => reject(reason()), { once: true });
  });
  promise.catch(() => {}); // observed through a race; never "unhandled"
  return promise;
}

/** `work`, unless the signal aborts first: then the error `reason()` makes. */
export function beforeDeadline<T>(
  work: Promise<T>,
  signal: AbortSignal,
  reason: () => Error,
): Promise<T> {
  return Promise.race([work, aborted(signal, reason)]);
}
