// A user's module of tasks, loaded by the effect-secrets command (its lazily loaded doctor, render and run).
import { task } from "effect-secrets"
import * as Effect from "effect/Effect"

export const report = task(
  { name: "report", secretRequests: [{ group: "db", key: "password", mountRequirement: "FILE" }] },
  () => Effect.succeed("done")
)
