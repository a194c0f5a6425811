/**
 * Telemetry for the sync facade and `task.sync`: they run lookups outside any Effect program, so the context their
 * layer built (where `SecretsTelemetry.layer` and the app's tracer are) is given to each lookup they run.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import type { WatchOptions } from "../watch/watchValues.ts"
import { TelemetryEnabled } from "./switch.ts"

const contexts = new WeakMap<SecretsManagerShape, Context.Context<never>>()

/**
 * The manager a facade's layer built: itself when the layer leaves telemetry off, else one whose lookups run with
 * the layer's context.
 */
export const managerWithLayerContext = (
  manager: SecretsManagerShape,
  context: Context.Context<never>
): SecretsManagerShape => {
  if (!Context.get(context, TelemetryEnabled)) return manager
  const inContext = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideContext(effect, context)
  const withContext: SecretsManagerShape = {
    get: ((request: SecretRequest) => inContext(manager.get(request))) as SecretsManagerShape["get"],
    getRedacted:
      ((request: SecretRequest) => inContext(manager.getRedacted(request))) as SecretsManagerShape["getRedacted"],
    getPath: (request) => inContext(manager.getPath(request)),
    locate: (request) => inContext(manager.locate(request)),
    watch:
      ((request: SecretRequest, options?: WatchOptions) =>
        Stream.provideContext(manager.watch(request, options), context)) as SecretsManagerShape["watch"]
  }
  contexts.set(withContext, context)
  return withContext
}

/** `effect` run with the context of the layer that built `manager`, when that layer turns telemetry on. */
export const inLayerContext = <A, E>(
  manager: SecretsManagerShape,
  effect: Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  const context = contexts.get(manager)
  return context === undefined ? effect : Effect.provideContext(effect, context)
}
