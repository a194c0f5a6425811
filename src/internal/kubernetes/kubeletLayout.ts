/**
 * The kubelet's `AtomicWriter` (`pkg/volume/util/atomic_writer.go`), which projects a Secret volume: the files live
 * in a hidden timestamped directory `..2006_01_02_15_04_05.<random>` (mode 0755); `..data` is a symbolic link to it;
 * each visible name is a link `name -> ..data/name`. An update writes a new timestamped directory, links
 * `..data_tmp` to it and renames that over `..data` (one atomic step), then removes visible names no longer in
 * the payload and the old directory. A reader that follows `name` sees the old content or the new, never a mix,
 * and at worst a path that vanished for an instant (the old directory removed under it), which readers retry.
 */
import { crypto, fs, path } from "../nodeBuiltins.ts"

export const dataDirName = "..data"
export const newDataDirName = "..data_tmp"

/** Secret files are readable by their owner only, here. */
export const fileMode = 0o400

/** One step of a write: each is one or a few system calls, so a caller can let readers run between them. */
export type Step = () => void

const pad = (value: number) => String(value).padStart(2, "0")

/** `time.Now().UTC().Format("..2006_01_02_15_04_05.")`, as `os.MkdirTemp` gets it as its prefix. */
const timestampPrefix = (now: Date): string =>
  `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_` +
  `${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`

/** `os.MkdirTemp`: the prefix and a random decimal number, retried while the name is taken; mode 0755. */
const newTimestampDir = (targetDir: string): string => {
  while (true) {
    const name = timestampPrefix(new Date()) + String(crypto.randomInt(2 ** 32))
    try {
      fs.mkdirSync(path.join(targetDir, name), { mode: 0o755 })
      fs.chmodSync(path.join(targetDir, name), 0o755)
      return name
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
  }
}

const readLink = (link: string): string | undefined => {
  try {
    return fs.readlinkSync(link)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const exists = (file: string): boolean => {
  try {
    fs.lstatSync(file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw error
  }
}

/** Every path under a directory, relative to it (directories included). */
const walk = (dir: string, prefix = ""): Array<string> =>
  fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`
    return entry.isDirectory() ? [relative, ...walk(dir, relative)] : [relative]
  })

/** Whether the old directory already holds exactly this payload (the kubelet then writes nothing). */
const samePayload = (oldDir: string, payload: ReadonlyMap<string, Uint8Array>): boolean => {
  for (const [relative, content] of payload) {
    const file = path.join(oldDir, relative)
    if (!exists(file) || !Buffer.from(content).equals(fs.readFileSync(file))) return false
  }
  return true
}

/** The payload's paths and every directory above them: what must not be removed. */
const newPaths = (payload: ReadonlyMap<string, Uint8Array>): Set<string> => {
  const paths = new Set<string>()
  for (const relative of payload.keys()) {
    const segments = relative.split("/")
    for (let length = 1; length <= segments.length; length++) paths.add(segments.slice(0, length).join("/"))
  }
  return paths
}

/**
 * The steps of one `AtomicWriter.Write` of the payload (relative path -> content) into `targetDir`, which exists.
 * Nothing is done when the current version already holds the payload and no old name must go.
 */
export const writeSteps = (targetDir: string, payload: ReadonlyMap<string, Uint8Array>): Array<Step> => {
  const dataDirPath = path.join(targetDir, dataDirName)
  const oldTsDir = readLink(dataDirPath)
  let pathsToRemove: Array<string> = []
  if (oldTsDir !== undefined) {
    const keep = newPaths(payload)
    pathsToRemove = walk(path.join(targetDir, oldTsDir)).filter((relative) => !keep.has(relative))
    if (pathsToRemove.length === 0 && samePayload(path.join(targetDir, oldTsDir), payload)) return []
  }
  let tsDir = ""
  return [
    () => {
      tsDir = newTimestampDir(targetDir)
      for (const [relative, content] of payload) {
        const file = path.join(targetDir, tsDir, relative)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, content, { mode: fileMode, flag: "wx" })
        fs.chmodSync(file, fileMode)
      }
    },
    () => {
      // Visible names are links through `..data`, so they need creating only once.
      for (const relative of payload.keys()) {
        const name = relative.split("/")[0]!
        const visible = path.join(targetDir, name)
        if (!exists(visible)) fs.symlinkSync(path.join(dataDirName, name), visible)
      }
    },
    () => fs.symlinkSync(tsDir, path.join(targetDir, newDataDirName)),
    () => fs.renameSync(path.join(targetDir, newDataDirName), dataDirPath),
    () => {
      for (const relative of pathsToRemove) {
        if (!relative.includes("/")) fs.rmSync(path.join(targetDir, relative), { force: true })
      }
    },
    () => {
      if (oldTsDir !== undefined) fs.rmSync(path.join(targetDir, oldTsDir), { recursive: true, force: true })
    }
  ]
}

/** One whole write, now. */
export const writeAtomic = (targetDir: string, payload: ReadonlyMap<string, Uint8Array>): void => {
  for (const step of writeSteps(targetDir, payload)) step()
}
