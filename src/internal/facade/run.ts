/**
 * Running lookups synchronously for plain code: the facade, `task.sync`, and the layer a facade builds on first use.
 */
import * as Cause from "effect/Cause"
import type { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { MissingSecrets, SecretNotFound } from "../../SecretsError.ts"
import { SecretsManager, type SecretsManagerShape } from "../../SecretsManager.ts"
import * as Now from "../now.ts"
import { managerWithLayerContext } from "../telemetry/facadeContext.ts"

/**
 * Runs an effect to completion now, returning its value or throwing its error (a `SecretNotFound`) itself, with
 * the caller's frames: a lookup's own errors carry none (a miss is built without them).
 */
export const runNow = <A, E>(effect: Effect.Effect<A, E>, caller?: Function): A => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  return thrown(Cause.squash(exit.cause), caller ?? runNow)
}

/**
 * A lookup's answer, now: its value, or its miss thrown with the caller's frames; one that must wait is run to
 * completion now (see `runNow`).
 */
export const answerNow = <A, E>(answer: Now.Now<A, E>, caller: Function): A =>
  answer instanceof Now.Later
    ? runNow(answer.effect, caller)
    : answer instanceof Now.Failed
    ? thrown(answer.failure, caller)
    : answer

const thrown = (error: unknown, caller: Function): never => {
  if (Cause.isAsyncFiberError(error)) {
    throw new TypeError(
      "The sync facade runs lookups synchronously, but this layer's FileSystem completes asynchronously. " +
        "Use SecretsManager.layer or layerTest (their files are read synchronously), or read through " +
        "SecretsManager in an Effect."
    )
  }
  if (error instanceof SecretNotFound || error instanceof MissingSecrets) {
    try {
      Error.captureStackTrace(error, caller)
    } catch {
      // A miss a manager froze (one it shares) cannot take the caller's frames: it is thrown as it was made.
    }
  }
  throw error
}

/**
 * Builds a layer once, synchronously, on first use, and keeps its `SecretsManager`. The layer's scope lives as long
 * as the process: a facade is a process-wide handle.
 */
export const managerOf = (layer: Layer.Layer<SecretsManager, ConfigError>): () => SecretsManagerShape => {
  let built: SecretsManagerShape | undefined
  return () => {
    if (built === undefined) {
      const context = runNow(Layer.buildWithScope(layer, Scope.makeUnsafe()))
      built = managerWithLayerContext(Context.get(context, SecretsManager), context)
    }
    return built
  }
}

/** The manager over `SecretsManager.layer` that the default facade and every `task.sync` without a layer share. */
export const defaultManager: () => SecretsManagerShape = managerOf(SecretsManager.layer)
