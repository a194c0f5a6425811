/**
 * `Masking`: a process-wide registry of secret values, and log output with every registered value replaced by
 * `<redacted>`. Every value a `SecretsManager` or the facade returns is registered; `register` adds others.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Redacted from "effect/Redacted"
import { maskedConsoleLogger, maskedTracerLogger } from "./internal/masking/loggers.ts"
import { maskSecrets, registerGiven } from "./internal/masking/registry.ts"
import { maskCounted } from "./internal/telemetry/maskedCount.ts"

/**
 * Replaces every registered value in `text` with `<redacted>`, in one pass over the text.
 *
 * **Details**
 *
 * Every occurrence of every registered value is masked; occurrences that overlap or touch become one marker, so
 * a value that contains another is masked whole. A text that holds no registered value is returned as it is
 * (the same string). Masking is linear in the text's length, whatever was registered. Matching is exact: a value
 * changed before it was written is caught only in the forms `register` lists.
 *
 * **Example** (Masking a text before it leaves the process)
 *
 * ```ts
 * import { Masking } from "effect-secrets"
 *
 * Masking.register("ghp_example0token")
 * Masking.mask("calling with ghp_example0token") // "calling with <redacted>"
 * ```
 *
 * @since 0.1.0
 * @category masking
 */
export const mask: (text: string) => string = maskSecrets

/**
 * Adds a value to the process-wide registry of values to mask.
 *
 * **Details**
 *
 * - It takes a string, a `Uint8Array` or a `Redacted` of one; anything else (`null`, a number, an object) throws a
 *   `TypeError`, so that a value is never believed masked when it is not.
 * - A value counts by its trimmed text, and only with 5 characters or more: a shorter one would mask ordinary
 *   words.
 * - Besides the text, the forms printers make of it are masked: JSON-escaped once, twice and three times (JSON and
 *   logfmt loggers, objects inside logfmt messages, JSON text inside those), `util.inspect`'s escaping (in single
 *   quotes too, and of JSON text inside a printed object) and `Logger.formatSimple`'s, a span label or annotation
 *   key as Effect rewrites it (spaces, `=` and `"` as `_`), and, for values up to 256 characters, URL-encoded
 *   (`encodeURIComponent`, a `URL`'s userinfo, `URLSearchParams`), also after JSON-escaping.
 * - Each line of a multi-line value (5 characters or more, trimmed) is masked on its own, in the same forms:
 *   errors, causes and `util.inspect` indent continuation lines, so the whole value never appears in their output.
 *   When a line is too short to be masked alone, the value is also masked as nested errors print it (each line
 *   after the first indented by 2 to 12 spaces).
 * - Bytes that are valid UTF-8 count as their text; other bytes as their base64 (standard and URL-safe),
 *   hexadecimal (also spaced, as a printed `Buffer`) and decimal (JSON, `Uint8Array([...])`) spellings, and as the
 *   text they decode to anyway (a `Buffer` printed as a string); the spellings only printers make cover the first
 *   4 KiB. A byte array printed by `util.inspect` in its default layout (numbers in padded columns) is not masked:
 *   the masked console logger prints it on one line.
 * - A value longer than 32 characters is also masked where only its beginning (32 characters or more) appears, as
 *   far as it matches: a truncated or split value is masked up to the cut.
 * - A value too large to mask whole (its forms would take more than half the registry) is masked by its first 64
 *   characters and each of its lines: whole when they fit, else by their first 64 characters; a warning says when
 *   not all its lines fit even so.
 * - The registry is bounded (4,096 values, about 16 MiB). Values held are never dropped; when it is full, a new
 *   value is refused and a process warning (`EFFECT_SECRETS_MASKING_FULL`, once) says so. Registering a held value
 *   again is cheap.
 *
 * **Example** (Registering a value the library never read)
 *
 * ```ts
 * import { Masking } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const session = "session-from-an-oauth-exchange"
 * Masking.register(session)
 * const logged = Effect.log(`session ${session}`).pipe(Effect.provide(Masking.layer)) // session <redacted>
 * ```
 *
 * @since 0.1.0
 * @category masking
 */
export const register: (value: string | Uint8Array | Redacted.Redacted<string | Uint8Array>) => void = registerGiven

/**
 * A string logger whose output is masked: `Logger.map(self, Masking.mask)`.
 *
 * **Example** (Masked JSON log lines)
 *
 * ```ts
 * import { Masking } from "effect-secrets"
 * import * as Logger from "effect/Logger"
 *
 * const jsonLogs = Logger.layer([Logger.withConsoleLog(Masking.logger(Logger.formatJson))])
 * ```
 *
 * @since 0.1.0
 * @category loggers
 */
export const logger = <Message>(self: Logger.Logger<Message, string>): Logger.Logger<Message, string> =>
  Logger.make((options) => maskCounted(options.fiber, self.log(options)))

/**
 * Replaces Effect's default loggers with masked ones: messages, annotations, span labels and causes come out
 * masked.
 *
 * **Details**
 *
 * - The console logger keeps the layout of Effect's default logger (`[hh:mm:ss.mmm] LEVEL (#fiber) span=Nms:
 *   message cause annotations`), without colors and with each object on one line, written to the `Console`
 *   service.
 * - The tracer logger still records each log as an event on the current span, with its name, annotations and
 *   cause masked.
 * - It replaces every logger set outside it; wrap your own string loggers with `Masking.logger` instead.
 * - What a logger never sees stays unmasked: `NodeRuntime.runMain`'s report of a failure (log the failure inside
 *   the program and pass `disableErrorReporting: true`), the error `Effect.runPromise` rejects with, and
 *   `Cause.pretty` called directly (use `Masking.mask(Cause.pretty(cause))`).
 *
 * **Example** (Every log line of a program masked)
 *
 * ```ts
 * import { Masking, SecretsManager } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* SecretsManager.use((secrets) => secrets.get({ group: "my-api-keys", key: "github_token" }))
 *   yield* Effect.log(`calling the API with ${token}`) // calling the API with <redacted>
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Layer.mergeAll(Masking.layer, SecretsManager.layer))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Logger.layer([maskedConsoleLogger, maskedTracerLogger])
