/**
 * `task()` and `task.sync()`: a task declares the secrets it needs, a preflight checks them all before the body
 * runs, and the body reads them through a manager that knows the declarations.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { managerOf, runNow } from "./internal/facade/run.ts"
import { startLookup } from "./internal/lookup/manager.ts"
import { type Declarations, declaredManager, makeDeclarations } from "./internal/task/declarations.ts"
import { Secret, type SecretIdl, type SecretInput } from "./Secret.ts"
import { MissingSecrets, type SecretNotFound } from "./SecretsError.ts"
import { defaultManager, facadeOver, type Secrets } from "./SecretsFacade.ts"
import { SecretsManager, type SecretsManagerShape } from "./SecretsManager.ts"

/**
 * What a task declares.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOptions {
  /** The task's name, shown in errors. */
  readonly name: string
  /** The secrets the task needs; plain objects are decoded into `Secret`. */
  readonly secretRequests: ReadonlyArray<Secret | SecretInput>
  /** Refuse lookups of secrets the task did not declare. Default `false`. */
  readonly strict?: boolean | undefined
  /** Check every declared secret before the body runs. Default `true`. */
  readonly preflight?: boolean | undefined
}

/**
 * What `task.sync` declares: `TaskOptions`, and the layer its facade resolves against
 * (default `SecretsManager.layer`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncTaskOptions extends TaskOptions {
  readonly layer?: Layer.Layer<SecretsManager, ConfigError> | undefined
}

/**
 * flyteidl `core.SecurityContext` in proto3 JSON, as far as secrets go.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecurityContext {
  readonly secrets: ReadonlyArray<SecretIdl>
}

/**
 * What every task carries besides being callable.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskDefinition {
  readonly name: string
  readonly secretRequests: ReadonlyArray<Secret>
  readonly securityContext: () => SecurityContext
}

/**
 * A task whose body is an Effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface Task<I, A, E, R> extends TaskDefinition {
  (...input: InputOf<I>): Effect.Effect<A, E | MissingSecrets, Exclude<R, SecretsManager> | SecretsManager>
}

/**
 * A task's call arguments: its input, which may be left out when the body takes none (`t()`).
 *
 * @since 0.1.0
 * @category models
 */
export type InputOf<I> = undefined extends I ? [input?: I] : [input: I]

/**
 * A task whose body is plain code.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncTask<I, A> extends TaskDefinition {
  (...input: InputOf<I>): A
}

const defineTask = (options: TaskOptions): TaskDefinition & { readonly declarations: Declarations } => {
  if (typeof options?.name !== "string" || options.name === "") {
    throw new TypeError("A task needs a name: task({ name: \"my_task\", secretRequests: [...] }, body)")
  }
  if (!Array.isArray(options.secretRequests)) {
    throw new TypeError(`Task ${JSON.stringify(options.name)}: secretRequests must be an array of Secret declarations`)
  }
  const secretRequests = options.secretRequests.map((request: unknown, index) => {
    if (request instanceof Secret) return request
    try {
      if (typeof request !== "object" || request === null) throw new TypeError("a declaration must be an object")
      return new Secret(request as SecretInput)
    } catch (error) {
      throw new TypeError(
        `Task ${JSON.stringify(options.name)}: secretRequests[${index}] is invalid: ${(error as Error).message}`
      )
    }
  })
  return {
    name: options.name,
    secretRequests,
    securityContext: () => ({ secrets: secretRequests.map(Secret.toIdl) }),
    declarations: makeDeclarations(secretRequests)
  }
}

/**
 * Locates every declared secret, concurrently, without decoding (binary file secrets pass; files are checked, not
 * read); all misses in one error.
 */
const preflightCheck = (manager: SecretsManagerShape, definition: TaskDefinition) =>
  Effect.flatMap(
    // Each lookup starts in place: one whose sources answer at once needs no fiber; the others run concurrently.
    Effect.forEach(
      definition.secretRequests,
      (secret) =>
        Effect.matchEager(startLookup(manager.locate(secret)), {
          onFailure: (miss) => miss,
          onSuccess: () => undefined
        }),
      { concurrency: "unbounded" }
    ),
    (outcomes) => {
      const missing = outcomes.filter((miss): miss is SecretNotFound => miss !== undefined)
      return missing.length === 0 ? Effect.void : Effect.fail(new MissingSecrets({ task: definition.name, missing }))
    }
  )

/** The manager a task's body sees, after the preflight when it is on. */
const prepare = (base: SecretsManagerShape, options: TaskOptions, definition: ReturnType<typeof defineTask>) => {
  const manager = declaredManager(base, definition.declarations, {
    task: definition.name,
    strict: options.strict === true
  })
  return options.preflight === false ? Effect.succeed(manager) : Effect.as(preflightCheck(manager, definition), manager)
}

/** The callable with the definition's properties (`name` replaces the function's own, read-only one). */
const withDefinition = <F extends Function>(run: F, definition: TaskDefinition): F & TaskDefinition =>
  Object.defineProperties(run, {
    name: { value: definition.name },
    secretRequests: { value: definition.secretRequests, enumerable: true },
    securityContext: { value: definition.securityContext, enumerable: true }
  }) as F & TaskDefinition

/**
 * Defines a task whose body is an Effect. Calling the task runs the preflight (unless `preflight: false`), then the
 * body with a `SecretsManager` that knows the declarations.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Secret, SecretsManager, task } from "effect-secrets"
 *
 * const sync = task({
 *   name: "sync_repos",
 *   secretRequests: [new Secret({ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" })]
 * }, (org: string) =>
 *   Effect.gen(function*() {
 *     const secrets = yield* SecretsManager
 *     const token = yield* secrets.getRedacted({ group: "my-api-keys", key: "github_token" })
 *     return `${org}: ${token}`
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const task: {
  <I, A, E, R>(options: TaskOptions, body: (input: I) => Effect.Effect<A, E, R>): Task<I, A, E, R>
  /**
   * Defines a task whose body is plain code: `body(input, secrets)` gets a sync facade over the declarations.
   * Calling the task throws `MissingSecrets` when the preflight finds a secret missing.
   */
  readonly sync: <I, A>(options: SyncTaskOptions, body: (input: I, secrets: Secrets) => A) => SyncTask<I, A>
} = Object.assign(
  <I, A, E, R>(options: TaskOptions, body: (input: I) => Effect.Effect<A, E, R>): Task<I, A, E, R> => {
    const definition = defineTask(options)
    const run = (...[input]: InputOf<I>) =>
      SecretsManager.use((base) =>
        Effect.flatMap(
          prepare(base, options, definition),
          (manager) => Effect.provideService(body(input as I), SecretsManager, manager)
        )
      )
    return withDefinition(run, definition) as Task<I, A, E, R>
  },
  {
    sync: <I, A>(options: SyncTaskOptions, body: (input: I, secrets: Secrets) => A): SyncTask<I, A> => {
      const definition = defineTask(options)
      const base = options.layer === undefined ? defaultManager : managerOf(options.layer)
      const run = (...[input]: InputOf<I>): A => {
        const manager = runNow(prepare(base(), options, definition), run)
        return body(input as I, facadeOver(() => manager, definition.declarations.attributeRequests))
      }
      return withDefinition(run, definition)
    }
  }
)
