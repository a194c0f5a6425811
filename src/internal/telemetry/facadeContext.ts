/**
 * Telemetry for the sync facade and `task.sync`: they run lookups outside any Effect program, so the context their
 * layer built (where `SecretsTelemetry.layer` and the app's tracer are) is given to each lookup they run.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { SecretsManagerShape } from "../../SecretsManager.ts"
import { coreOf, managerFromCore } from "../lookup/core.ts"
import * as Now from "../now.ts"
import { observeRead } from "./lookupSpan.ts"
import { CurrentTask, TelemetryEnabled } from "./switch.ts"

/** Each manager made here: the manager it runs in a context, and that context. */
const contexts = new WeakMap<
  SecretsManagerShape,
  { readonly manager: SecretsManagerShape; readonly context: Context.Context<never> }
>()

/**
 * The manager a facade's layer built: itself when the layer leaves telemetry off, else one whose lookups run with
 * the layer's context.
 */
export const managerWithLayerContext = (
  manager: SecretsManagerShape,
  context: Context.Context<never>
): SecretsManagerShape => {
  if (!Context.get(context, TelemetryEnabled)) return manager
  return runIn(manager, context)
}

/**
 * `manager`'s lookups, each run with `context` and recorded there: the facade reads through the core, below the
 * manager's operations, so the recording is made here, where the layer's context is.
 */
const runIn = (manager: SecretsManagerShape, context: Context.Context<never>): SecretsManagerShape => {
  const core = coreOf(manager)
  const withContext = managerFromCore({
    prepare: (operation, spellings) => {
      const read = core.prepare(operation, spellings)
      return (record) =>
        Now.later(Effect.provideContext(
          record === undefined ? observeRead(operation, spellings[0], read) : Now.toEffect(read(record)),
          context
        ))
    },
    changes: core.changes
  })
  contexts.set(withContext, { manager, context })
  return withContext
}

// One manager per layer's manager and task: a task runs many times, and each run would otherwise make one.
const forTasks = new WeakMap<SecretsManagerShape, Map<string, SecretsManagerShape>>()

/** The layer's manager as a `task.sync` named `task` uses it: its lookups name the task, when telemetry is on. */
export const inTaskContext = (manager: SecretsManagerShape, task: string): SecretsManagerShape => {
  const made = contexts.get(manager)
  if (made === undefined) return manager
  let byTask = forTasks.get(manager)
  if (byTask === undefined) forTasks.set(manager, byTask = new Map())
  let forTask = byTask.get(task)
  if (forTask === undefined) {
    byTask.set(task, forTask = runIn(made.manager, Context.add(made.context, CurrentTask, task)))
  }
  return forTask
}

/** `effect` run with the context of the layer that built `manager`, when that layer turns telemetry on. */
export const inLayerContext = <A, E>(
  manager: SecretsManagerShape,
  effect: Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  const made = contexts.get(manager)
  return made === undefined ? effect : Effect.provideContext(effect, made.context)
}
