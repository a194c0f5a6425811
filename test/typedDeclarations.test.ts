/**
 * Typed declarations. The type-level tests are checked by `tsc --noEmit` (part of `npm test`): each
 * `@ts-expect-error` line must fail to compile, each `expectTypeOf` must hold. The runtime tests show that what the
 * types allow is what the runtime resolves, and that a task with literal declarations behaves exactly as the same
 * task with declarations the types cannot see.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import { expectTypeOf } from "vitest"
import {
  type DeclaredRequest,
  Secret,
  type SecretInput,
  SecretNotFound,
  type Secrets,
  SecretsManager,
  type SecretsManagerShape,
  type SyncTask,
  type Task,
  task,
  type TaskSecrets,
  type TypedSecret
} from "../src/index.ts"
import { thrownBy } from "./support.ts"

const layer = SecretsManager.layerTest({
  env: {
    "FLYTE_SECRETS_MY-API-KEYS_GITHUB_TOKEN": "gh-token",
    "FLYTE_SECRETS_MY-CERTS_TLS.CERT": "cert-from-env",
    FLYTE_SECRETS_TOKEN: "key-only-token",
    FLYTE_SECRETS_DB_V2_PASSWORD: "db-password",
    "FLYTE_SECRETS_A-B_K": "from a-b",
    FLYTE_SECRETS_A_B_K: "from a_b",
    FLYTE_SECRETS_SHARED_K: "group shared",
    FLYTE_SECRETS_SHARED: "key-only shared"
  },
  files: { "/etc/secrets/certs/der": new Uint8Array([0xff, 0x00, 0xfe]) }
})

const declared = [
  { group: "my-api-keys", key: "github_token" },
  { group: "my-certs", key: "tls.cert" },
  { key: "token" }
] as const

describe("the facade of a task.sync body, typed by literal declarations", () => {
  it("has exactly the declared groups and keys, in both spellings", () => {
    task.sync({
      name: "typed",
      secretRequests: [
        { group: "my-api-keys", key: "github_token" },
        { group: "my-certs", key: "tls.cert" },
        { key: "token" }
      ],
      layer
    }, (_: void, secrets) => {
      expectTypeOf(secrets.my_api_keys.github_token).toEqualTypeOf<string>()
      expectTypeOf(secrets["my-api-keys"].github_token).toEqualTypeOf<string>()
      expectTypeOf(secrets.my_certs.tls_cert).toEqualTypeOf<string>()
      expectTypeOf(secrets["my-certs"]["tls.cert"]).toEqualTypeOf<string>()
      expectTypeOf(secrets["my-certs"].tls_cert).toEqualTypeOf<string>()
      expectTypeOf(secrets.token).toEqualTypeOf<string>()
      expectTypeOf<keyof typeof secrets.my_api_keys>().toEqualTypeOf<"github_token">()
      // @ts-expect-error a misspelled key
      void secrets.my_api_keys.githb_token
      // @ts-expect-error a misspelled group
      void secrets.my_api_kes.github_token
      // @ts-expect-error a key of another group
      void secrets.my_certs.github_token
      // @ts-expect-error a key-only secret is not a group
      void secrets.token.github_token
      // A lenient task's methods stay loose: they read undeclared secrets, as at runtime.
      expectTypeOf(secrets.get({ group: "other", key: "k" })).toEqualTypeOf<string>()
    })
  })

  it("a key-only name that a group spells is the group; probes and methods are never names", () => {
    task.sync({
      name: "reserved",
      secretRequests: [
        { group: "shared", key: "k" },
        { key: "shared" },
        { group: "get", key: "k" },
        { group: "then", key: "k" },
        { group: "g", key: "constructor" },
        { group: "g", key: "__proto__" },
        { group: "g", key: "toJSON" },
        { group: "g", key: "k" }
      ]
    }, (_: void, secrets) => {
      expectTypeOf(secrets.shared).toEqualTypeOf<{ readonly k: string }>()
      expectTypeOf<keyof typeof secrets.g>().toEqualTypeOf<"k">()
      expectTypeOf(secrets.get).toEqualTypeOf<Secrets["get"]>()
      // @ts-expect-error a probe is never a group
      void secrets.then
    })
  })

  it("an empty tuple declares nothing", () => {
    task.sync({ name: "empty", secretRequests: [] }, (_: void, secrets) => {
      // @ts-expect-error nothing declared
      void secrets.any_group.any_key
    })
  })

  it("a strict task's get and getPath accept only declared requests; encodeMode narrows the result", () => {
    const mode = "rb" as "r" | "rb"
    task.sync({
      name: "strict",
      strict: true,
      secretRequests: [
        { group: "my-api-keys", key: "github_token", envVar: "GITHUB_TOKEN" },
        { group: "certs", key: "der", mountRequirement: "FILE" },
        { group: "db", groupVersion: "v2", key: "password" },
        { key: "token" }
      ]
    }, (_: void, secrets) => {
      expectTypeOf(secrets.get({ group: "my-api-keys", key: "github_token" })).toEqualTypeOf<string>()
      expectTypeOf(secrets.get({ group: "certs", key: "der", encodeMode: "rb" })).toEqualTypeOf<Uint8Array>()
      expectTypeOf(secrets.get({ group: "certs", key: "der", encodeMode: "r" })).toEqualTypeOf<string>()
      expectTypeOf(secrets.get({ group: "certs", key: "der", encodeMode: mode })).toEqualTypeOf<
        string | Uint8Array
      >()
      expectTypeOf(secrets.get({ key: "token" })).toEqualTypeOf<string>()
      expectTypeOf(secrets.getPath({ group: "certs", key: "der" })).toEqualTypeOf<string>()
      secrets.get({ group: "my-api-keys", key: "github_token", envVar: "GITHUB_TOKEN" })
      secrets.get({ group: "certs", key: "der", mountRequirement: "FILE" })
      secrets.get({ group: "db", groupVersion: "v2", key: "password" })
      // @ts-expect-error an undeclared key
      secrets.get({ group: "my-api-keys", key: "githb_token" })
      // @ts-expect-error an undeclared group
      secrets.getPath({ group: "certz", key: "der" })
      // @ts-expect-error another envVar than the declared one
      secrets.get({ group: "my-api-keys", key: "github_token", envVar: "OTHER" })
      // @ts-expect-error another mount requirement than the declared one
      secrets.get({ group: "certs", key: "der", mountRequirement: "ENV_VAR" })
      // @ts-expect-error another version than the declared one
      secrets.get({ group: "db", groupVersion: "v3", key: "password" })
      // @ts-expect-error a group where the declaration has none
      secrets.get({ group: "tokens", key: "token" })
    })
  })

  it("a secret declared twice with two envVars: a strict task's get accepts either envVar, and no other", () => {
    task.sync({
      name: "twice",
      strict: true,
      secretRequests: [
        { group: "api", key: "token", mountRequirement: "ENV_VAR", envVar: "TOKEN_A" },
        { group: "api", key: "token", mountRequirement: "ENV_VAR", envVar: "TOKEN_B" }
      ]
    }, (_: void, secrets) => {
      expectTypeOf(secrets.get({ group: "api", key: "token", envVar: "TOKEN_B" })).toEqualTypeOf<string>()
      secrets.get({ group: "api", key: "token", envVar: "TOKEN_A" })
      secrets.get({ group: "api", key: "token" })
      // @ts-expect-error an envVar neither declaration names
      secrets.get({ group: "api", key: "token", envVar: "TOKEN_C" })
    })
  })

  it("Secret.make keeps literal fields, and a task declaring it is typed", () => {
    const der = Secret.make({ group: "certs", key: "der", mountRequirement: "FILE" })
    expectTypeOf(der).toExtend<Secret>()
    expectTypeOf(der.group).toEqualTypeOf<"certs">()
    expectTypeOf(der.mountRequirement).toEqualTypeOf<"FILE">()
    expectTypeOf(Secret.make({ key: "token" }).mountRequirement).toEqualTypeOf<"ANY">()
    expectTypeOf(Secret.make({ key: "token" })).toEqualTypeOf<TypedSecret<{ readonly key: "token" }>>()
    task.sync({ name: "made", strict: true, secretRequests: [der] }, (_: void, secrets) => {
      expectTypeOf(secrets.certs.der).toEqualTypeOf<string>()
      expectTypeOf(secrets.get(der)).toEqualTypeOf<string>()
      // @ts-expect-error not declared
      void secrets.certs.pem
    })
  })

  it("declarations the types cannot see fall back to the loose facade, without errors", () => {
    const fromVariable: ReadonlyArray<SecretInput> = [{ group: "a", key: "k" }]
    const group: string = "a"
    const check = (_: void, secrets: Secrets) => secrets.anything.goes
    const loose = [
      task.sync({ name: "new", secretRequests: [new Secret({ group: "a", key: "k" })] }, (_: void, secrets) => {
        expectTypeOf(secrets).toEqualTypeOf<Secrets>()
        return secrets.undeclared.anything
      }),
      task.sync({ name: "idl", secretRequests: [Secret.fromIdl({ group: "a", key: "k" })] }, check),
      task.sync({ name: "variable", secretRequests: fromVariable }, check),
      task.sync({ name: "name", strict: true, secretRequests: [{ group, key: "k" }] }, (_: void, secrets) => {
        expectTypeOf(secrets).toEqualTypeOf<Secrets>()
        return secrets.get({ group: "b", key: "k" })
      }),
      task.sync({
        name: "mixed",
        secretRequests: [{ group: "a", key: "k" }, new Secret({ group: "b", key: "k" })]
      }, (_: void, secrets) => {
        expectTypeOf(secrets).toEqualTypeOf<Secrets>()
      }),
      task.sync({
        name: "union",
        secretRequests: [{ group: group === "a" ? "a" : "b", key: "k" }]
      }, (_: void, secrets) => {
        expectTypeOf(secrets).toEqualTypeOf<Secrets>()
      })
    ]
    assert.strictEqual(loose.length, 6)
  })

  it("a misspelled field of a written declaration is a type error, and refused at runtime", () => {
    assert.throws(
      () =>
        task.sync({
          name: "t",
          // @ts-expect-error `grup` is not a field of Secret
          secretRequests: [{ grup: "a", key: "k" }]
        }, () => undefined),
      /unknown field "grup" \(did you mean "group"\?\)/
    )
  })

  it("a body that takes no input is called without one; the task types stay as they were", () => {
    const noInput = task.sync({ name: "t", secretRequests: [{ group: "a", key: "k" }], layer }, () => 1)
    const voidInput = task.sync({ name: "t", secretRequests: declared, layer }, (_: void, secrets) => secrets.token)
    const withInput = task.sync({ name: "t", secretRequests: declared, layer }, (org: string) => org)
    expectTypeOf(noInput).toExtend<SyncTask<unknown, number>>()
    expectTypeOf(voidInput).toExtend<SyncTask<void, string>>()
    expectTypeOf(withInput).toExtend<SyncTask<string, string>>()
    expectTypeOf(withInput).parameters.toEqualTypeOf<[input: string]>()
    // @ts-expect-error the input is required
    void (() => withInput())
    const effectTask = task({ name: "e", secretRequests: [{ group: "a", key: "k" }] }, () => Effect.succeed(1))
    expectTypeOf(effectTask).toExtend<Task<unknown, number, never, never>>()
    expectTypeOf(effectTask).parameters.toEqualTypeOf<[input?: unknown]>()
    assert.strictEqual(voidInput(), "key-only-token")
  })
})

describe("the manager of a task body", () => {
  it("is typed by literal declarations in a strict task, loose otherwise", () => {
    task({
      name: "strict",
      strict: true,
      secretRequests: [{ group: "my-api-keys", key: "github_token" }, { group: "certs", key: "der" }]
    }, (_: void, secrets) =>
      Effect.gen(function*() {
        expectTypeOf(yield* secrets.get({ group: "my-api-keys", key: "github_token" })).toEqualTypeOf<string>()
        expectTypeOf(yield* secrets.getRedacted({ group: "certs", key: "der", encodeMode: "rb" })).toEqualTypeOf<
          Redacted.Redacted<Uint8Array>
        >()
        expectTypeOf(yield* secrets.getPath({ group: "certs", key: "der" })).toEqualTypeOf<string>()
        // @ts-expect-error an undeclared key
        yield* secrets.getRedacted({ group: "my-api-keys", key: "githb_token" })
        // @ts-expect-error an undeclared group
        yield* secrets.locate({ group: "other", key: "der" })
        // @ts-expect-error an undeclared key
        void secrets.watch({ group: "certs", key: "pem" })
        // `yield* SecretsManager` keeps its loose type.
        expectTypeOf(yield* SecretsManager).toEqualTypeOf<SecretsManagerShape>()
      }))
    task({ name: "lenient", secretRequests: [{ group: "a", key: "k" }] }, (_: void, secrets) => {
      expectTypeOf(secrets).toEqualTypeOf<SecretsManagerShape>()
      return Effect.void
    })
  })

  it.effect("is the manager `yield* SecretsManager` gives the body", () =>
    Effect.gen(function*() {
      const t = task({ name: "same", strict: true, secretRequests: [{ group: "my-api-keys", key: "github_token" }] }, (
        _: void,
        secrets
      ) =>
        Effect.gen(function*() {
          const service = yield* SecretsManager
          assert.strictEqual(service, secrets as unknown as SecretsManagerShape)
          return yield* secrets.get({ group: "my-api-keys", key: "github_token" })
        }))
      assert.strictEqual(yield* t(), "gh-token")
    }).pipe(Effect.provide(layer)))
})

describe("TaskSecrets and DeclaredRequest", () => {
  it("TaskSecrets names a task's facade for helpers, typed by the same declarations", () => {
    const webhook = (secrets: TaskSecrets<typeof declared>) => `${secrets.token}:${secrets.my_certs.tls_cert}`
    const t = task.sync({ name: "helper", secretRequests: declared, layer }, (_: void, secrets) => webhook(secrets))
    assert.strictEqual(t(), "key-only-token:cert-from-env")
  })

  it("is the union of the declared requests, or SecretRequest when the declarations are not literal", () => {
    type Request = DeclaredRequest<typeof declared>
    const request: Request = { group: "my-certs", key: "tls.cert", encodeMode: "rb" }
    // @ts-expect-error not declared
    const other: Request = { group: "my-certs", key: "tls_cert" }
    expectTypeOf<DeclaredRequest<ReadonlyArray<Secret>>>().toEqualTypeOf<import("../src/index.ts").SecretRequest>()
    assert.deepStrictEqual([request.group, other.key], ["my-certs", "tls_cert"])
  })
})

describe("at runtime, the typed facade is the untyped one", () => {
  /**
   * The same task twice: declared with literal types (its facade typed), and through `Secret.fromIdl` (the types
   * cannot see it, the facade is `Secrets`). The body reads through `Secrets`, so it can make reads the typed facade
   * refuses to compile.
   */
  const both = <const Requests extends ReadonlyArray<SecretInput>, A>(
    requests: Requests,
    strict: boolean,
    body: (secrets: Secrets) => A
  ): [A, A] => {
    const options = { name: "twin", strict, preflight: false, layer }
    const typed = task.sync(
      { ...options, secretRequests: requests },
      (_: void, secrets) => body(secrets as unknown as Secrets)
    )
    const loose = task.sync(
      { ...options, secretRequests: requests.map((request) => Secret.fromIdl(request)) },
      (_: void, secrets) => body(secrets)
    )
    return [typed(), loose()]
  }
  const outcome = (read: () => unknown): unknown => {
    try {
      return { value: read() }
    } catch (error) {
      assert.instanceOf(error, SecretNotFound)
      const { message, reason, attempts } = error as SecretNotFound
      return { message, reason, attempts }
    }
  }

  it("reads the same values by attribute, in every spelling, and the same errors on a miss", () => {
    const reads = (secrets: Secrets) =>
      [
        () => secrets.my_api_keys.github_token,
        () => secrets["my-api-keys"].github_token,
        () => secrets.my_certs.tls_cert,
        () => secrets["my-certs"]["tls.cert"],
        () => secrets["my-certs"].tls_cert,
        () => secrets.token,
        () => secrets.get({ group: "certs", key: "der", encodeMode: "rb" }),
        () => secrets.getPath({ group: "certs", key: "der" }),
        () => secrets.absent.key
      ].map(outcome)
    const [typed, loose] = both(
      [...declared, { group: "certs", key: "der" }, { group: "absent", key: "key" }],
      false,
      reads
    )
    assert.deepStrictEqual(typed, loose)
    assert.deepStrictEqual(typed.slice(0, 6), [
      { value: "gh-token" },
      { value: "gh-token" },
      { value: "cert-from-env" },
      { value: "cert-from-env" },
      { value: "cert-from-env" },
      { value: "key-only-token" }
    ])
    assert.deepStrictEqual(typed[6], { value: new Uint8Array([0xff, 0x00, 0xfe]) })
    assert.deepStrictEqual(typed[7], { value: "/etc/secrets/certs/der" })
    assert.include((typed[8] as { message: string }).message, "group \"absent\" key \"key\"")
  })

  it("refuses the same undeclared requests in a strict task, with the same error", () => {
    const [typed, loose] = both([{ group: "my-api-keys", key: "github_token" }], true, (secrets) =>
      [
        () => secrets.get({ group: "my-api-keys", key: "gitlab_token" }),
        () => secrets.get({ group: "my-api-keys", key: "github_token", envVar: "OTHER" }),
        () => secrets.my_api_keys.gitlab_token
      ].map(outcome))
    assert.deepStrictEqual(typed, loose)
    for (const refused of typed) assert.strictEqual((refused as { reason: string }).reason, "Undeclared")
  })

  it("a key-only name is the secret at the top level unless a group has its spelling; the exact group first", () => {
    const t = task.sync({
      name: "names",
      secretRequests: [
        { group: "shared", key: "k" },
        { key: "shared" },
        { key: "token" },
        { group: "a-b", key: "k" },
        { group: "a_b", key: "k" }
      ],
      layer
    }, (_: void, secrets) => [
      secrets.shared.k,
      secrets.token,
      secrets.get({ key: "shared" }),
      secrets.a_b.k,
      secrets["a-b"].k,
      typeof secrets.get
    ])
    assert.deepStrictEqual(t(), [
      "group shared",
      "key-only-token",
      "key-only shared",
      "from a_b",
      "from a-b",
      "function"
    ])
  })
})

describe("Secret.make", () => {
  it("is a frozen Secret, the input Secret itself, or a readable error", () => {
    const made = Secret.make({ group: "g", key: "k", groupVersion: "" })
    assert.instanceOf(made, Secret)
    assert.isTrue(Object.isFrozen(made))
    assert.isUndefined(made.groupVersion)
    assert.deepStrictEqual(made, new Secret({ group: "g", key: "k" }))
    assert.strictEqual(Secret.make(made), made)
    assert.include((thrownBy(() => Secret.make({ group: "", key: "" })) as Error).message, "needs a group or a key")
    assert.include((thrownBy(() => Secret.make({ group: "g", envVar: "bad-name" })) as Error).message, "bad-name")
  })
})
