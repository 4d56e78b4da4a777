/**
 * Stack traces off while a resource class calls the Pulumi SDK's constructor.
 *
 * Why: for every property of a resource, the SDK makes four promises while the constructor
 * runs and records a stack trace on each (`new Error().stack`), which a program run by
 * `pulumi` formats through source maps. The SDK prints those traces only when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set; otherwise they are pure cost, and with the twenty
 * properties of an `SmtpSettings` they were most of a preview's cost in the program: 200
 * resources under the SDK's mocks took 12.0 ms of CPU each with them, 4.1 ms without
 * (BENCHMARKS.md, "Where previewRatio200 goes"). The SDK's own trace of where a resource was
 * declared (`Resource.stackTrace`, sent to the engine) sets its own limit and is unaffected.
 * What it costs: the error the SDK prepares inside the constructor for a registration the
 * engine refuses later (a duplicate name) has no program stack; its message names the
 * resource and its type. PULUMI_DEBUG_PROMISE_LEAKS brings the stacks back.
 */

/** What a constructor holds while stack traces are off. */
export interface PausedStackTraces {
  /** Puts the previous limit back; calling it again does nothing. */
  resume(): void;
  /**
   * For an error thrown while traces were off: puts the limit back and gives the error the
   * stack of the code that constructed the resource (`at` and what it called are left out).
   */
  failed(error: unknown, at: abstract new (...args: never[]) => unknown): unknown;
}

/** Turns stack traces off until `resume`, unless the user asked the SDK for leak details. */
export function pauseStackTraces(): PausedStackTraces {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return { resume() {}, failed: (error) => error };
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let paused = true;
  const resume = () => {
    if (paused) Error.stackTraceLimit = limit;
    paused = false;
  };
  return {
    resume,
    failed(error, at) {
      resume();
      if (error instanceof Error) Error.captureStackTrace(error, at);
      return error;
    },
  };
}
