/**
 * `run`'s pod directories name their owner (`<prefix><pid>-<start>-<random>`); a later run removes those whose owner
 * has ended, and nothing else: not a live process's, not a link, not another user's, not in a temporary directory
 * where others could swap entries.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeOwnedTempDir, ownedDirMarker, removeOrphanedTempDirs } from "../src/internal/files/ownedTempDirs.ts"
import { useTmpdir } from "./support.ts"

const prefix = "effect-secrets-pod-"

const temp = useTmpdir()

/** This process's pid namespace, as the names hold it. */
const space = ownedDirMarker()

/** The pid of a process that has ended. */
const endedPid = (): number => spawnSync("true").pid!

describe("S11 pod directories owned by a process", () => {
  it("a new one is this user's only and names this process", () => {
    const dir = makeOwnedTempDir(prefix)
    assert.strictEqual(path.dirname(dir), temp.dir)
    assert.match(path.basename(dir), new RegExp(`^${prefix}${process.pid}-\\d+-${space}-\\w{6}$`))
    assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o700)
    // Its owner lives: it stays.
    assert.deepStrictEqual(removeOrphanedTempDirs(prefix), [])
    assert.isTrue(fs.existsSync(dir))
  })

  it("one whose owner has ended, or whose pid now belongs to a process started later, is removed", () => {
    const ended = path.join(temp.dir, `${prefix}${endedPid()}-1-${space}-aaaaaa`)
    const reused = path.join(temp.dir, `${prefix}${process.pid}-1-${space}-bbbbbb`)
    for (const dir of [ended, reused]) fs.mkdirSync(path.join(dir, "db"), { recursive: true })
    assert.deepStrictEqual(
      removeOrphanedTempDirs(prefix).toSorted(),
      [ended, reused].map((dir) => path.basename(dir)).toSorted()
    )
    assert.deepStrictEqual(fs.readdirSync(temp.dir), [])
  })

  it("where others may write and no sticky bit protects entries, nothing is removed; with the sticky bit it is", () => {
    const ended = path.join(temp.dir, `${prefix}${endedPid()}-1-${space}-cccccc`)
    fs.mkdirSync(ended)
    fs.chmodSync(temp.dir, 0o777)
    assert.deepStrictEqual(removeOrphanedTempDirs(prefix), [])
    assert.isTrue(fs.existsSync(ended))
    fs.chmodSync(temp.dir, 0o1777)
    assert.deepStrictEqual(removeOrphanedTempDirs(prefix), [path.basename(ended)])
  })

  it("names that only look alike stay: other shapes, a link, a file", () => {
    const pid = endedPid()
    const target = path.join(temp.dir, "target")
    fs.mkdirSync(target)
    const names = [
      `${prefix}${pid}-1-abc`,
      `${prefix}${pid}-x-dddddd`,
      `${prefix}0-1-eeeeee`,
      `x${prefix}${pid}-1-ffffff`
    ]
    for (const name of names) fs.mkdirSync(path.join(temp.dir, name))
    fs.symlinkSync(target, path.join(temp.dir, `${prefix}${pid}-1-${space}-link00`))
    fs.writeFileSync(path.join(temp.dir, `${prefix}${pid}-1-${space}-file00`), "")
    assert.deepStrictEqual(removeOrphanedTempDirs(prefix), [])
    assert.strictEqual(fs.readdirSync(temp.dir).length, names.length + 3)
  })
})
