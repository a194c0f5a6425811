/**
 * Runs `build` without capturing a stack trace for the errors it creates. A missing secret is an expected answer:
 * capturing the stack is most of what building the error costs, and the frames would point into the lookup
 * chain, not at the caller (the facade captures the caller's frames when it throws).
 */
export const withoutStackTrace = <A>(build: () => A): A => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return build()
  } finally {
    Error.stackTraceLimit = limit
  }
}
