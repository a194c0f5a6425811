/**
 * `SecretsCache.layer`'s options checked and filled in with the defaults. An option out of range throws when the
 * layer is made: the layer has no error channel, and a mistaken option is a programming error.
 */
import * as Duration from "effect/Duration"
import type { SecretsCacheOptions } from "../../SecretsCache.ts"
import type { CacheSettings } from "./cachedManager.ts"

const durationSetting = (name: string, input: Duration.Input | undefined, fallback: Duration.Input): number => {
  let millis = NaN
  try {
    // `Duration` reads a number of milliseconds that is NaN as 0: refused here, it is a mistake, not "off".
    if (typeof input !== "number" || !Number.isNaN(input)) {
      millis = Duration.toMillis(Duration.fromInputUnsafe(input ?? fallback))
    }
  } catch {
    // Said below, with the option's name.
  }
  if (!(millis >= 0)) {
    throw new RangeError(
      `SecretsCache.layer: ${name} must be a duration of 0 or more, such as "5 minutes" or 300000 (milliseconds)`
    )
  }
  return millis
}

/** The options checked and filled in; a bad option throws when the layer is made, saying which and why. */
export const settingsOf = (options: SecretsCacheOptions): CacheSettings => {
  const capacity = options.capacity ?? 1000
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new RangeError(
      `SecretsCache.layer: capacity must be a whole number of entries, 0 or more, not ${String(capacity)} ` +
        `(an unbounded cache would let requests grow memory without end)`
    )
  }
  return {
    timeToLive: durationSetting("timeToLive", options.timeToLive, Duration.minutes(5)),
    missTimeToLive: durationSetting("missTimeToLive", options.missTimeToLive, Duration.seconds(1)),
    staleIfError: durationSetting("staleIfError", options.staleIfError, Duration.hours(1)),
    capacity
  }
}
