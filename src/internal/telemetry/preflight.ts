/**
 * The `effect_secrets.preflight` span around a task's preflight, and the task's name on the lookups made inside
 * it and inside its body.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Locate, TaskView } from "../task/preflight.ts"
import { spanExit } from "./lookupSpan.ts"
import { CurrentTask, whenEnabled } from "./switch.ts"

const preflightSpanName = "effect_secrets.preflight"

const missingCount = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  const error = Cause.findErrorOption(exit.cause)
  const missing = error._tag === "Some" ? (error.value as { readonly missing?: unknown }).missing : undefined
  return Array.isArray(missing) ? missing.length : 0
}

/**
 * A task's preflight, recorded when telemetry is on: a span with the task's name, how many secrets it declares and
 * how many were missing, its lookups inside (each the manager's `locate`, recorded). Untraced, each secret's lookup
 * is started in place.
 */
export const observePreflight = <E>(
  task: { readonly name: string; readonly secretRequests: ReadonlyArray<unknown> },
  view: TaskView,
  check: (locate: Locate) => Effect.Effect<void, E>
): Effect.Effect<void, E> =>
  whenEnabled(() => check(view.locateNow), () =>
    Effect.flatMap(
      Effect.makeSpan(preflightSpanName, {
        attributes: { "effect_secrets.task": task.name, "effect_secrets.declared": task.secretRequests.length }
      }),
      (span) =>
        check(view.locate).pipe(
          Effect.provideService(CurrentTask, task.name),
          Effect.withParentSpan(span, { captureStackTrace: false }),
          Effect.onExit((exit) =>
            Effect.flatMap(Clock.currentTimeNanos, (now) =>
              Effect.sync(() => {
                span.attribute("effect_secrets.missing", missingCount(exit))
                if (Exit.isFailure(exit)) span.attribute("error.type", "MissingSecrets")
                span.end(now, spanExit(exit, "MissingSecrets", undefined))
              }))
          )
        )
    ))

/** `effect` with the task's name on every lookup recorded inside it, when telemetry is on. */
export const inTaskTelemetry = <A, E, R>(task: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  whenEnabled(() => effect, () => Effect.provideService(effect, CurrentTask, task))
