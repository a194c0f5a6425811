/**
 * The programs the tests run beside the library, each checked once here, so that a machine without one fails with
 * its name and what needs it, not deep inside a case.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"

const programs: ReadonlyArray<readonly [program: string, neededBy: string]> = [
  ["sh", "the init container's script (Flyte 2 materialisation) and the command line's printed words"],
  ["bash", "the command line's printed words, read back as bash reads them"],
  ["awk", "the init container's script (Flyte 2 materialisation)"],
  ["base64", "the init container's script (Flyte 2 materialisation)"],
  ["mkfifo", "the conformance cases of a FIFO in the secrets directory (S4)"],
  ["python3", "flytekit's reading rules, run beside the library (flytekit.test.ts)"],
  ["script", "run's terminal case: util-linux's script gives the command a pseudo-terminal"],
  ["yes", "run's case of a reader that stops reading"]
]

describe("the machine", () => {
  it("has every program the tests run", () => {
    for (const [program, neededBy] of programs) {
      const found = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" })
      assert.strictEqual(found.status, 0, `${program} is needed by ${neededBy}: install it`)
    }
  })
})
