/**
 * `task()` and `task.sync()`: a task declares the secrets it needs, a preflight checks them all before the body
 * runs, and the body reads them through a manager that knows the declarations.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { facadeOver } from "./internal/facade/proxy.ts"
import { defaultManager, managerOf, runNow } from "./internal/facade/run.ts"
import { hasHiddenCharacter, quoteName } from "./internal/lookup/naming.ts"
import {
  type Declarations,
  declaredManager,
  makeDeclarations,
  sharedVariableProblem
} from "./internal/task/declarations.ts"
import { checkAll, type TaskView, taskViews } from "./internal/task/preflight.ts"
import type { CheckedDeclarations, Declaration, ManagerOf, RequestsOf, SecretsOf } from "./internal/task/typed.ts"
import { inLayerContext, inTaskContext } from "./internal/telemetry/facadeContext.ts"
import { inTaskTelemetry, observePreflight } from "./internal/telemetry/preflight.ts"
import { Secret, type SecretIdl, type SecretInput } from "./Secret.ts"
import type { MissingSecrets } from "./SecretsError.ts"
import type { Secrets } from "./SecretsFacade.ts"
import { SecretsManager, type SecretsManagerShape } from "./SecretsManager.ts"

/**
 * What a task declares. Written inline (or with `Secret.make`), `secretRequests` keep their literal types and type
 * the body's access to them (see `TaskSecrets`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOptions<
  Requests extends ReadonlyArray<Secret | SecretInput> = ReadonlyArray<Secret | SecretInput>,
  Strict extends boolean = boolean
> {
  /** The task's name, shown in errors. */
  readonly name: string
  /** The secrets the task needs; plain objects are decoded into `Secret`. */
  readonly secretRequests: Requests
  /** Refuse lookups of secrets the task did not declare. Default `false`. */
  readonly strict?: Strict | undefined
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
export interface SyncTaskOptions<
  Requests extends ReadonlyArray<Secret | SecretInput> = ReadonlyArray<Secret | SecretInput>,
  Strict extends boolean = boolean
> extends TaskOptions<Requests, Strict> {
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
 * The facade a `task.sync` body gets. When every declaration is literal (written inline, or made with
 * `Secret.make`), it has exactly the declared secrets: `secrets.<group>.<key>` with each name as declared or in its
 * attribute spelling (`-` and `.` as `_`), `secrets.<key>` for a key-only declaration (unless a group has that
 * spelling), and in a strict task `get`/`getPath` accept only declared requests. Otherwise it is `Secrets`.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskSecrets<
  Requests extends ReadonlyArray<Secret | SecretInput>,
  Strict extends boolean = false
> = SecretsOf<Requests, Strict>

/**
 * The manager a `task` body gets as its second argument (the same one `yield* SecretsManager` gives it): in a
 * strict task with literal declarations every operation accepts only declared requests; otherwise
 * `SecretsManagerShape`.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskSecretsManager<
  Requests extends ReadonlyArray<Secret | SecretInput>,
  Strict extends boolean = false
> = ManagerOf<Requests, Strict>

/**
 * A request for one of the literal declarations `Requests`: its group and key, and only the declared version,
 * `envVar` and mount requirement (`SecretRequest` when a declaration is not literal).
 *
 * @since 0.1.0
 * @category models
 */
export type DeclaredRequest<Requests extends ReadonlyArray<Secret | SecretInput>> = RequestsOf<Requests>

/**
 * A task whose body is plain code.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncTask<I, A> extends TaskDefinition {
  (...input: InputOf<I>): A
}

/** A task as defined: its declarations, and its view of each manager it runs against. */
interface DefinedTask extends TaskDefinition {
  readonly declarations: Declarations
  readonly viewOf: (base: SecretsManagerShape) => TaskView
}

const defineTask = (options: TaskOptions): DefinedTask => {
  if (typeof options?.name !== "string" || options.name === "") {
    throw new TypeError("A task needs a name: task({ name: \"my_task\", secretRequests: [...] }, body)")
  }
  // The name is printed in errors, logs and span attributes as it is.
  if (hasHiddenCharacter(options.name)) {
    throw new TypeError(
      `Task ${quoteName(options.name)}: a task's name may not hold a control, format, separator or invisible ` +
        "character (it is printed in errors, logs and spans)"
    )
  }
  if (!Array.isArray(options.secretRequests)) {
    throw new TypeError(`Task ${quoteName(options.name)}: secretRequests must be an array of Secret declarations`)
  }
  // Frozen: the preflight prepares each declared secret's lookup once, by index, and securityContext reads it too.
  const secretRequests = Object.freeze(options.secretRequests.map((request: unknown, index) => {
    if (request instanceof Secret) return request
    try {
      if (typeof request !== "object" || request === null) throw new TypeError("a declaration must be an object")
      return new Secret(request as SecretInput)
    } catch (error) {
      throw new TypeError(
        `Task ${quoteName(options.name)}: secretRequests[${index}] is invalid: ${(error as Error).message}`
      )
    }
  }))
  const shared = sharedVariableProblem(secretRequests)
  if (shared !== undefined) throw new TypeError(`Task ${quoteName(options.name)}: ${shared}`)
  const declarations = makeDeclarations(secretRequests)
  const settings = { task: options.name, strict: options.strict === true }
  return {
    name: options.name,
    secretRequests,
    securityContext: () => ({ secrets: secretRequests.map(Secret.toIdl) }),
    declarations,
    viewOf: taskViews(secretRequests, (base) => declaredManager(base, declarations, settings))
  }
}

/** The manager a task's body sees, after the preflight when it is on. */
const prepare = (base: SecretsManagerShape, options: TaskOptions, definition: DefinedTask) => {
  const view = definition.viewOf(base)
  if (options.preflight === false) return Effect.succeed(view.manager)
  const count = definition.secretRequests.length
  return Effect.as(
    observePreflight(definition, view, (locate) => checkAll(definition.name, count, locate)),
    view.manager
  )
}

/** The callable with the definition's properties (`name` replaces the function's own, read-only one). */
const withDefinition = <F extends Function>(run: F, definition: TaskDefinition): F & TaskDefinition =>
  Object.defineProperties(run, {
    name: { value: definition.name },
    secretRequests: { value: definition.secretRequests, enumerable: true },
    securityContext: { value: definition.securityContext, enumerable: true },
    [TaskTypeId]: { value: TaskTypeId }
  }) as F & TaskDefinition

// Marks the functions `task` and `task.sync` return; shared across copies of the library loaded side by side.
const TaskTypeId: unique symbol = Symbol.for("effect-secrets/Task")

/**
 * Whether `value` is a task made by `task` or `task.sync` (the command line finds a module's tasks with it).
 *
 * **Example** (Finding the tasks a module exports)
 *
 * ```ts
 * import { isTask } from "effect-secrets"
 *
 * declare const module: Record<string, unknown>
 * const tasks = Object.values(module).filter(isTask)
 * console.log(tasks.map((task) => `${task.name}: ${task.secretRequests.length} secrets`))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTask = (value: unknown): value is TaskDefinition & ((...args: ReadonlyArray<never>) => unknown) =>
  typeof value === "function" && (value as unknown as Record<symbol, unknown>)[TaskTypeId] === TaskTypeId

/**
 * Defines a task whose body is an Effect. Calling the task runs the preflight (unless `preflight: false`), then the
 * body with a `SecretsManager` that knows the declarations: `yield* SecretsManager`, or the body's second argument,
 * typed by the declarations in a strict task (`TaskSecretsManager`).
 *
 * **Example** (A strict task whose body reads a declared secret)
 *
 * ```ts
 * import { task } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const syncRepos = task({
 *   name: "sync_repos",
 *   strict: true,
 *   secretRequests: [{ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" }]
 * }, (org: string, secrets) =>
 *   Effect.map(
 *     secrets.getRedacted({ group: "my-api-keys", key: "github_token" }), // another key is a type error
 *     (token) => `${org}: ${token}`
 *   ))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const task: {
  <const Requests extends ReadonlyArray<Declaration>, I, A, E, R, Strict extends boolean = false>(
    options: TaskOptions<Requests & NoInfer<CheckedDeclarations<Requests>>, Strict>,
    body: (input: I, secrets: TaskSecretsManager<Requests, Strict>) => Effect.Effect<A, E, R>
  ): Task<I, A, E, R>
  /**
   * Defines a task whose body is plain code: `body(input, secrets)` gets a sync facade over the declarations,
   * typed by them (`TaskSecrets`). Calling the task throws `MissingSecrets` when the preflight finds a secret
   * missing.
   *
   * **Example** (A task whose body is plain code)
   *
   * ```ts
   * import { SecretsManager, task } from "effect-secrets"
   *
   * const greet = task.sync({
   *   name: "greet",
   *   secretRequests: [{ group: "my-api-keys", key: "github_token" }],
   *   layer: SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token" } })
   * }, (name: string, secrets) => `hello ${name}, a token of ${secrets.my_api_keys.github_token.length} characters`)
   * greet("octocat") // runs the preflight, then the body
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  readonly sync: <const Requests extends ReadonlyArray<Declaration>, I, A, Strict extends boolean = false>(
    options: SyncTaskOptions<Requests & NoInfer<CheckedDeclarations<Requests>>, Strict>,
    body: (input: I, secrets: TaskSecrets<Requests, Strict>) => A
  ) => SyncTask<I, A>
} = Object.assign(
  <I, A, E, R>(
    options: TaskOptions,
    body: (input: I, secrets: SecretsManagerShape) => Effect.Effect<A, E, R>
  ): Task<I, A, E, R> => {
    const definition = defineTask(options)
    const run = (...[input]: InputOf<I>) =>
      SecretsManager.use((base) =>
        inTaskTelemetry(
          definition.name,
          Effect.flatMap(
            prepare(base, options, definition),
            (manager) => Effect.provideService(body(input as I, manager), SecretsManager, manager)
          )
        )
      )
    return withDefinition(run, definition) as Task<I, A, E, R>
  },
  {
    sync: <I, A>(options: SyncTaskOptions, body: (input: I, secrets: Secrets) => A): SyncTask<I, A> => {
      const definition = defineTask(options)
      const { attributeRequests, topLevelRequests } = definition.declarations
      const base = options.layer === undefined ? defaultManager : managerOf(options.layer)
      const run = (...[input]: InputOf<I>): A => {
        const built = inTaskContext(base(), definition.name)
        const manager = runNow(inLayerContext(built, prepare(built, options, definition)), run)
        return body(input as I, facadeOver(() => manager, attributeRequests, topLevelRequests))
      }
      return withDefinition(run, definition)
    }
  }
  // The declarations' types narrow what a body may ask for; the runtime is the same for every declaration.
) as never
