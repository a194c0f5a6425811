/**
 * Masked replacements for Effect's two default loggers, built on public APIs only: the console logger keeps the
 * default logger's layout, and the tracer logger still records log events on the current span.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Formatter from "effect/Formatter"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import { util } from "../nodeBuiltins.ts"
import { maskCounted } from "../telemetry/maskedCount.ts"
import { maskSecrets } from "./registry.ts"

// One line per object (`breakLength`, `compact`): `util.inspect` would otherwise split a long multi-line string
// into concatenated pieces, or the numbers of a byte array into padded columns, and no piece would hold the whole
// value to mask. No colors: escape codes are for terminals.
const inspectOptions: util.InspectOptions = { breakLength: Infinity, compact: true }

const render = (value: unknown): string => typeof value === "string" ? value : util.inspect(value, inspectOptions)

const twoDigits = (value: number) => value.toString().padStart(2, "0")

/** `hh:mm:ss.mmm` in local time, as Effect's default logger prints it. */
const clockTime = (date: Date): string =>
  `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}.${
    date.getMilliseconds().toString().padStart(3, "0")
  }`

/** A span label as Effect prints it: spaces, `=` and `"` become `_`. */
const spanLabel = (label: string): string => label.replace(/[\s="]/g, "_")

/**
 * Effect's default logger, masked: `[hh:mm:ss.mmm] LEVEL (#fiber) span=Nms: message... cause annotations`, one
 * string masked as a whole and written to the fiber's `Console` (`console.error` when `Logger.LogToStderr` is set).
 */
export const maskedConsoleLogger: Logger.Logger<unknown, void> = Logger.make(
  ({ cause, date, fiber, logLevel, message }) => {
    const now = date.getTime()
    let line = `[${clockTime(date)}] ${logLevel.toUpperCase()} (#${fiber.id})`
    for (const [label, start] of fiber.getRef(References.CurrentLogSpans)) {
      line += ` ${spanLabel(label)}=${now - start}ms`
    }
    line += ":"
    for (const part of Array.isArray(message) ? message : [message]) line += " " + render(part)
    if (cause.reasons.length > 0) line += " " + Cause.pretty(cause)
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    if (Object.keys(annotations).length > 0) line += " " + render(annotations)
    const console = fiber.getRef(Console.Console)
    if (fiber.getRef(Logger.LogToStderr)) console.error(maskCounted(fiber, line))
    else console.log(maskCounted(fiber, line))
  }
)

/** A span attribute with registered values masked; a value whose text holds none is kept as it is (not as text). */
const maskAttribute = (value: unknown): unknown => {
  if (typeof value === "string") return maskSecrets(value)
  const text = typeof value === "object" && value !== null ? Formatter.format(value) : String(value)
  const masked = maskSecrets(text)
  return masked === text ? value : masked
}

/**
 * Effect's tracer logger, masked: a log inside a span becomes a span event whose name, annotation attributes and
 * `effect.cause` are masked.
 */
export const maskedTracerLogger: Logger.Logger<unknown, void> = Logger.make(({ cause, fiber, logLevel, message }) => {
  const span = fiber.cache.span
  if (span === undefined || span._tag === "ExternalSpan" || span.status._tag === "Ended") return
  const attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries(fiber.getRef(References.CurrentLogAnnotations)).map((
      [key, value]
    ) => [maskSecrets(key), maskAttribute(value)])
  )
  attributes["effect.fiberId"] = fiber.id
  attributes["effect.logLevel"] = logLevel.toUpperCase()
  if (cause.reasons.length > 0) attributes["effect.cause"] = maskSecrets(Cause.pretty(cause))
  const name = Inspectable.toStringUnknown(Array.isArray(message) && message.length === 1 ? message[0] : message)
  span.event(maskSecrets(name), fiber.getRef(Clock.Clock).currentTimeNanosUnsafe(), attributes)
})
