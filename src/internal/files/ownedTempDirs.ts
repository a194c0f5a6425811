/**
 * Temporary directories that name the process that made them:
 * `<prefix><pid>-<start>-<namespace>-<machine>-<boot>-<random>`, where `start` is when that process started (so a
 * later process given the same pid is not taken for it), `namespace` its pid namespace (a container sharing `/tmp`
 * numbers its processes otherwise), `machine` and `boot` the machine and its boot (another machine sharing a
 * temporary directory on a network file system numbers its processes otherwise, and its first pid namespace has the
 * same number as ours). A process killed with SIGKILL cannot remove its directory; the next one removes the
 * directories whose owner is gone: one of this machine's earlier boots, or a process of this boot that has ended.
 * Only directories this user owns, named so, are removed: never a live process's, another machine's or another
 * namespace's, never a link, never anything in a shared directory where other users could swap entries.
 */
import { crypto, fs, os, path } from "../nodeBuiltins.ts"

/**
 * When process `pid` started, in clock ticks since boot, as Linux tells in `/proc/<pid>/stat`; `undefined` when
 * it has ended (or is a zombie) or the system does not say. The command name in parentheses may hold spaces and
 * parentheses, so the fields are counted from the last ")".
 */
const startOf = (pid: number): { readonly start: string; readonly ended: boolean } | undefined => {
  let stat: string
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1")
  } catch {
    return undefined
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // Field 3 is the state, field 22 the start time.
  const state = fields[0]
  const start = fields[19]
  return start === undefined ? undefined : { start, ended: state === "Z" || state === "X" }
}

/** The first 12 hex digits of what a file holds (an id), or of the hash of `fallback`; "0" without either. */
const idFrom = (file: string, fallback: () => string): string => {
  try {
    const id = fs.readFileSync(file, "latin1").replace(/[^0-9a-f]/g, "").slice(0, 12)
    if (id !== "") return id
  } catch {
    // Not told here: the fallback.
  }
  const text = fallback()
  return text === "" ? "0" : crypto.createHash("sha256").update(text).digest("hex").slice(0, 12)
}

interface OwnMarker {
  readonly start: string
  /** `<namespace>-<machine>`: where a directory's pid means a process this one can see (in another boot maybe). */
  readonly space: string
  readonly boot: string
}

/**
 * This process's start, pid namespace, machine (its machine id, else its host name) and boot as a name shows them;
 * "0" where the system does not tell (then a directory's owner is judged by its pid alone). Read on first use:
 * importing the library reads no file.
 */
let ownMarker: OwnMarker | undefined
const ownMarkerOf = (): OwnMarker => {
  if (ownMarker !== undefined) return ownMarker
  let namespace = "0"
  try {
    namespace = /\[(\d+)\]/.exec(fs.readlinkSync("/proc/self/ns/pid"))?.[1] ?? "0"
  } catch {
    // No pid namespaces here.
  }
  return ownMarker = {
    start: startOf(process.pid)?.start ?? "0",
    space: `${namespace}-${idFrom("/etc/machine-id", os.hostname)}`,
    boot: idFrom("/proc/sys/kernel/random/boot_id", () => "")
  }
}

/** The part of this process's directories' names that says where their pid counts: `<space>-<boot>`. */
export const ownedDirMarker = (): string => `${ownMarkerOf().space}-${ownMarkerOf().boot}`

/** Whether the process that made a directory named with `pid` and `start` has ended. */
const ownerEnded = (pid: number, start: string): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: the pid is taken, by another user's process; its start time tells whether it is the owner.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true
  }
  const now = startOf(pid)
  if (now === undefined) return start !== "0" && fs.existsSync("/proc/self/stat")
  return now.ended || (start !== "0" && now.start !== start)
}

/** A new directory, readable by this user only, named after this process; its real path. */
export const makeOwnedTempDir = (prefix: string): string => {
  const { boot, space, start } = ownMarkerOf()
  const dir = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}${process.pid}-${start}-${space}-${boot}-`))
  )
  fs.chmodSync(dir, 0o700)
  return dir
}

/**
 * Whether entries of `dir` stay as this process sees them: no one else may write in it, or its sticky bit keeps
 * others from removing or renaming what is not theirs (as on `/tmp`). Otherwise an entry checked could be swapped
 * for a link before it is removed.
 */
const entriesStayPut = (dir: fs.Stats): boolean => (dir.mode & 0o022) === 0 || (dir.mode & 0o1000) !== 0

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The names in `tmp` of this user's directories named `<prefix><pid>-<start>-<space>-<boot>-<random>` whose owner,
 * a process of this pid namespace on this machine, has ended (it ran in an earlier boot, or it has ended since). Read
 * one entry at a time: a shared `/tmp` may hold very many, and only these names are kept.
 */
const orphansIn = (tmp: string, prefix: string, uid: number): Array<string> => {
  const { boot, space } = ownMarkerOf()
  const owned = new RegExp(
    `^${escapeRegExp(prefix)}([1-9][0-9]{0,9})-([0-9]{1,20})-${escapeRegExp(space)}-([0-9a-f]{1,12})-[A-Za-z0-9]{6}$`
  )
  const orphans: Array<string> = []
  const listing = fs.opendirSync(tmp)
  try {
    for (let entry = listing.readSync(); entry !== null; entry = listing.readSync()) {
      const match = owned.exec(entry.name)
      if (match === null) continue
      const stats = fs.lstatSync(path.join(tmp, entry.name), { throwIfNoEntry: false })
      if (stats === undefined || !stats.isDirectory() || stats.uid !== uid) continue
      if (match[3] !== boot || ownerEnded(Number(match[1]), match[2]!)) orphans.push(entry.name)
    }
  } finally {
    listing.closeSync()
  }
  return orphans
}

/**
 * Removes the directories of the temporary directory named as `makeOwnedTempDir` names them whose owner has ended;
 * the names removed. Best effort: what cannot be read or removed is left, and nothing fails.
 */
export const removeOrphanedTempDirs = (prefix: string): ReadonlyArray<string> => {
  const uid = process.getuid?.()
  if (uid === undefined) return []
  let tmp: string
  let orphans: Array<string>
  try {
    tmp = fs.realpathSync(os.tmpdir())
    if (!entriesStayPut(fs.lstatSync(tmp))) return []
    orphans = orphansIn(tmp, prefix, uid)
  } catch {
    // The temporary directory cannot be listed: nothing to tidy.
    return []
  }
  return orphans.filter((name) => {
    try {
      fs.rmSync(path.join(tmp, name), { recursive: true, force: true })
      return true
    } catch {
      // Left for a later run.
      return false
    }
  })
}
