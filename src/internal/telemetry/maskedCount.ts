/**
 * `effect_secrets.masked`: how many secret values the masked loggers replaced. Counted once per log line, where the
 * line is masked for output; the tracer logger's copy of the same line is not counted again.
 */
import type * as Fiber from "effect/Fiber"
import { maskSecrets } from "../masking/registry.ts"
import { redactedMarker } from "../masking/stretches.ts"
import { masked } from "./instruments.ts"
import { TelemetryEnabled } from "./switch.ts"

const markers = (text: string): number => {
  let count = 0
  for (let at = text.indexOf(redactedMarker); at !== -1; at = text.indexOf(redactedMarker, at + 1)) count++
  return count
}

/** `text` masked; the replacements counted when telemetry is on in `fiber`. */
export const maskCounted = (fiber: Fiber.Fiber<unknown, unknown>, text: string): string => {
  const result = maskSecrets(text)
  if (result !== text && fiber.getRef(TelemetryEnabled)) {
    const replaced = markers(result) - markers(text)
    if (replaced > 0) masked.updateUnsafe(replaced, fiber.context)
  }
  return result
}
