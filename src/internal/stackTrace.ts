/**
 * Runs `build` without capturing a stack trace for the errors it creates. A missing secret is an expected answer:
 * capturing the stack is most of what building the error costs, and the frames would point into the lookup
 * chain, not at the caller (the facade captures the caller's frames when it throws).
 */
export const withoutStackTrace = <A>(build: () => A): A => {
  const limit = pauseStackTraces()
  try {
    return build()
  } finally {
    resumeStackTraces(limit)
  }
}

/** `Error.stackTraceLimit` could not be set: it is left as it is (see `pauseStackTraces`). */
const unchangeable = Symbol("unchangeable")

/**
 * Sets `Error.stackTraceLimit` to 0 and answers the limit to put back with `resumeStackTraces`. Where it cannot be
 * set (`node --frozen-intrinsics`, or a program that made it read-only) errors keep their traces: slower, same answers.
 */
export const pauseStackTraces = (): unknown => {
  const limit = Error.stackTraceLimit
  try {
    Error.stackTraceLimit = 0
  } catch {
    return unchangeable
  }
  return limit
}

/** Puts back the limit `pauseStackTraces` answered. */
export const resumeStackTraces = (limit: unknown): void => {
  if (limit !== unchangeable) Error.stackTraceLimit = limit as number
}
