/**
 * A task's preflight: every declared secret located (a file is checked, not read, so binary file secrets pass), all
 * misses in one `MissingSecrets`, in the order the task declares them. A task runs many times against the same
 * manager, so the view its body sees and the lookups its preflight runs are made once per manager, then run again
 * at each preflight (a prepared lookup reads again each time it is called).
 */
import * as Effect from "effect/Effect"
import type { Secret } from "../../Secret.ts"
import { MissingSecrets, type SecretNotFound } from "../../SecretsError.ts"
import type { SecretsManagerShape } from "../../SecretsManager.ts"
import { coreOf, type ReadNow } from "../lookup/core.ts"
import * as Now from "../now.ts"

/**
 * Starts the lookup of the declared secret at `index`: it reads now and answers at once unless a place must wait, or,
 * when traced, answers the effect that reads.
 */
export type Locate = (index: number) => Now.Now<unknown, SecretNotFound>

/** A task over one manager: the manager its body sees, and how its preflight locates each declared secret. */
export interface TaskView {
  readonly manager: SecretsManagerShape
  /** The task's own prepared lookup, started in place: no span, no fiber unless a place must wait. */
  readonly locateNow: Locate
  /** The manager's `locate`, which records itself when telemetry is on. */
  readonly locate: Locate
}

/** Each manager's view of the task, made by `view` when the task first runs against that manager. */
export const taskViews = (
  declared: ReadonlyArray<Secret>,
  view: (base: SecretsManagerShape) => SecretsManagerShape
): (base: SecretsManagerShape) => TaskView => {
  const views = new WeakMap<SecretsManagerShape, TaskView>()
  return (base) => {
    let made = views.get(base)
    if (made === undefined) views.set(base, made = makeView(declared, view(base)))
    return made
  }
}

const makeView = (declared: ReadonlyArray<Secret>, manager: SecretsManagerShape): TaskView => {
  const core = coreOf(manager)
  // Prepared on first use: a task without a preflight never needs them.
  const lookups: Array<ReadNow | undefined> = []
  return {
    manager,
    locateNow: (index) => (lookups[index] ??= core.prepare("locate", [declared[index]!]))(),
    locate: (index) => Now.later(manager.locate(declared[index]!))
  }
}

const missOf = (effect: Effect.Effect<unknown, SecretNotFound>) =>
  Effect.matchEager(effect, { onFailure: (miss) => miss, onSuccess: () => undefined })

/**
 * Locates the `count` declared secrets: every lookup is started in one pass, in order; one found at once is done
 * with, and only the others (a miss, a place that must wait) are gathered, concurrently, into the misses.
 */
export const checkAll = (task: string, count: number, locate: Locate): Effect.Effect<void, MissingSecrets> =>
  Effect.suspend(() => {
    let unsettled: Array<Effect.Effect<unknown, SecretNotFound>> | undefined
    for (let index = 0; index < count; index++) {
      const located = locate(index)
      if (located instanceof Now.Later || located instanceof Now.Failed) {
        ;(unsettled ??= []).push(Now.toEffect(located))
      }
    }
    if (unsettled === undefined) return Effect.void
    return Effect.flatMap(Effect.forEach(unsettled, missOf, { concurrency: "unbounded" }), (outcomes) => {
      const missing = outcomes.filter((miss): miss is SecretNotFound => miss !== undefined)
      return missing.length === 0 ? Effect.void : Effect.fail(new MissingSecrets({ task, missing }))
    })
  })
