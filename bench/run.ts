/**
 * `npm run bench`: every performance figure of the library against its baseline, measured side by side in one
 * run on the built `dist/`. `--smoke` runs each figure once with tiny counts, only to prove the harness works.
 *
 * Each figure runs in a process of its own (this file again, with `--figure <name>`): a user's process runs one
 * layer, and a figure must not depend on which figures ran before it in the same process (the one read algorithm's
 * call sites would have seen every file access). Inside it, effect-side figures run inside one ManagedRuntime, as a
 * loop inside one Effect, for ours and the baseline alike; cold start spawns fresh processes alternately. Memory
 * needs `--expose-gc` (the npm script passes it).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { figures as cacheFigures } from "./cache.ts"
import { figures as cliFigures, floors as cliFloors } from "./cli.ts"
import { type FloorInputs, measureFloors } from "./floors.ts"
import { figures as flyte2Figures } from "./flyte2.ts"
import { type Figure, type Measured, type Row, row, sideBySide, table, timeSync } from "./harness.ts"
import { figures as kubernetesFigures } from "./kubernetes.ts"
import { describeState, machineState } from "./machineState.ts"
import { figures as maskingFigures } from "./masking.ts"
import { type LibraryLayers, measureSteps, rawGuardedCheck, rawGuardedRead, rawGuardedReadAsync } from "./steps.ts"
import { figures as telemetryFigures } from "./telemetry.ts"
import { figures as typecheckFigures } from "./typecheck.ts"
import { figures as watchFigures } from "./watch.ts"

// The built package, typed by its sources.
const distEntry = fileURLToPath(new URL("../dist/index.js", import.meta.url))
const lib: typeof import("../src/index.ts") = await import(pathToFileURL(distEntry).href)
const { Environment, makeSecrets, Secret, SecretsConfig, SecretsManager, task } = lib

const smoke = process.argv.includes("--smoke")
const option = (name: string) => process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined
/** A figure's rounds: `count`, or one for a smoke run. */
const roundsOf = (count: number) => smoke ? 1 : count
const rounds = roundsOf(21)
const n = (count: number) => (smoke ? 10 : count)

// --- fixtures: a secrets directory and one env var, as a task pod would have them ---
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-secrets-bench-")))
const secretValue = "bench-secret-value-0123456789abcdef"
const envName = "FLYTE_SECRETS_BENCH_TOKEN"
fs.mkdirSync(path.join(dir, "bench"))
fs.writeFileSync(path.join(dir, "bench", "file_token"), secretValue + "\n")
const filePath = path.join(dir, "bench", "file_token")
const manyGroup = path.join(dir, "many")
fs.mkdirSync(manyGroup)
for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(manyGroup, `key${i}`), `value-${i}\n`)
process.env[envName] = secretValue
process.env["FLYTE_SECRETS_DEFAULT_DIR"] = dir
process.env["FLYTE_INTERNAL_EXECUTION_ID"] = "bench"
const envRequest = { group: "bench", key: "token" }
const fileRequest = { group: "bench", key: "file_token" }
const missRequest = { group: "bench", key: "absent" }

// --- one runtime for every Effect-side figure, ours and the baselines alike ---
const runtime = ManagedRuntime.make(Layer.mergeAll(SecretsManager.layer, NodeFileSystem.layer, NodePath.layer))
const manager = await runtime.runPromise(SecretsManager.use(Effect.succeed))

/** ns/op of `effect` run `iterations` times in a loop inside one Effect. */
const timeEffect = <A, E>(iterations: number, effect: Effect.Effect<A, E, InstanceType<typeof SecretsManager>>) =>
  runtime.runPromise(Effect.gen(function*() {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) yield* effect
    return Number(process.hrtime.bigint() - start) / iterations
  }))

const envProvider = Layer.succeed(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv())
const dirProvider = await runtime.runPromise(ConfigProvider.fromDir({ rootPath: dir }))
const configEnv = Config.Redacted(envName).pipe(Effect.provide(envProvider))
const configDir = Config.Redacted("file_token").pipe(Config.nested("bench"), (config) => config.parse(dirProvider))

const readGuarded = () => rawGuardedRead(filePath)
const secrets = makeSecrets()

// The other paths users run: the test layer (in-memory files) and custom wiring over platform-node's FileSystem.
const managerOver = (layer: Layer.Layer<InstanceType<typeof SecretsManager>, unknown>) =>
  Effect.runPromise(Effect.provide(SecretsManager.use(Effect.succeed), layer))
const testManager = await managerOver(SecretsManager.layerTest({
  env: { [envName]: secretValue },
  files: { "/etc/secrets/bench/file_token": secretValue + "\n" }
}))
const nodeFileSystemManager = await managerOver(SecretsManager.layerNoDeps.pipe(
  Layer.provide([SecretsConfig.layer, Environment.layer, NodeFileSystem.layer])
))

// The library's internals, for the step-by-step table and the floors: from `src/` (Node strips the types), since the
// built library is bundled into a few files that name none of them.
const internal = (module: string) => import(new URL(`../src/internal/${module}`, import.meta.url).href)

// The library's layers around a file read, timed alone for the step-by-step table.
const libraryLayers = async (): Promise<LibraryLayers> => {
  const { makeFileReader }: typeof import("../src/internal/files/fileReader.ts") = await internal("files/fileReader.ts")
  const { nodeFileAccess }: typeof import("../src/internal/files/nodeFileAccess.ts") = await internal(
    "files/nodeFileAccess.ts"
  )
  const { fileText }: typeof import("../src/internal/lookup/text.ts") = await internal("lookup/text.ts")
  const { coreOf }: typeof import("../src/internal/lookup/core.ts") = await internal("lookup/core.ts")
  // A manager from the same modules as `coreOf`, which knows the cores of the managers its own modules made.
  const { SecretsManager: SourceManager }: typeof import("../src/SecretsManager.ts") = await import(
    new URL("../src/SecretsManager.ts", import.meta.url).href
  )
  const sourceManager = Effect.runSync(Effect.provide(SourceManager.use(Effect.succeed), SourceManager.layer))
  const reader = makeFileReader(nodeFileAccess, { secretsDir: dir, maxBytes: 1024 * 1024 })
  const request = { contained: true, content: true }
  const bytes = fs.readFileSync(filePath)
  const lookup = coreOf(sourceManager).prepare("get", [fileRequest])
  return {
    fileReader: () => reader.read(filePath, request),
    decode: () => fileText(bytes),
    lookup: () => lookup(),
    facade: () => secrets.bench.file_token
  }
}

// The file reader alone over a `FileSystem`, as an effect: what `layerNoDeps` runs for a file hit, without the lookup.
const fileSystemReader = async (fileSystem: FileSystem.FileSystem): Promise<Effect.Effect<unknown, unknown>> => {
  const { makeFileReader }: typeof import("../src/internal/files/fileReader.ts") = await internal("files/fileReader.ts")
  const { fileSystemAccess }: typeof import("../src/internal/files/fileSystemAccess.ts") = await internal(
    "files/fileSystemAccess.ts"
  )
  const { toEffect }: typeof import("../src/internal/now.ts") = await internal("now.ts")
  const reader = makeFileReader(fileSystemAccess(fileSystem), { secretsDir: dir, maxBytes: 1024 * 1024 })
  const request = { contained: true, content: true }
  return Effect.suspend(() => toEffect(reader.read(filePath, request)))
}

// memory: heap growth over a million distinct facade names (groups), and 20,000 distinct keys read (misses)
const facadeNamesGrowthMiB = async () => {
  const gc = (globalThis as { gc?: () => void }).gc!
  const names = makeSecrets(SecretsManager.layerTest({}))
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < n(1_000_000); i++) void names[`group_${i}`]
  for (let i = 0; i < n(20_000); i++) {
    try {
      void names.group[`key_${i}`]
    } catch {
      // every key is a miss: only the names are kept
    }
  }
  gc()
  return (process.memoryUsage().heapUsed - before) / (1024 * 1024)
}

// preflight of many declared file secrets, by a task defined once (as an application defines its tasks) and run again
const preflightOf = (count: number) =>
  task({
    name: `preflight_${count}`,
    secretRequests: Array.from({ length: count }, (_, i) => new Secret({ group: "many", key: `key${i}` }))
  }, () => Effect.void)(undefined)
const preflights = new Map<number, ReturnType<typeof preflightOf>>()
const timePreflight = (count: number, iterations: number) => {
  let preflight = preflights.get(count)
  if (preflight === undefined) preflights.set(count, preflight = preflightOf(count))
  return timeEffect(iterations, preflight)
}
const manyPaths = Array.from({ length: 1000 }, (_, i) => path.join(manyGroup, `key${i}`))
const checkMany = (count: number) => () => {
  for (let i = 0; i < count; i++) rawGuardedCheck(manyPaths[i]!)
}

// cold start: a new process that imports the library and reads one secret through the facade
const spawnMs = (source: string) => {
  const start = process.hrtime.bigint()
  execFileSync(process.execPath, ["--input-type=module", "-e", source], { env: process.env, stdio: "ignore" })
  return Number(process.hrtime.bigint() - start) / 1e6
}
const coldRead = (entry: string) =>
  `const { secrets } = await import(${JSON.stringify(pathToFileURL(entry).href)}); ` +
  "if (!secrets.bench.token) process.exit(1)"
const oursCold = coldRead(distEntry)
const facadeCold = coldRead(fileURLToPath(new URL("../dist/SecretsFacade.js", import.meta.url)))

// memory: heap growth over 100,000 lookups, after a GC
const heapGrowthMiB = async () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc (npm run bench does)")
  gc()
  const before = process.memoryUsage().heapUsed
  await timeEffect(n(50_000), manager.get(envRequest))
  await timeEffect(n(50_000), manager.get(fileRequest))
  gc()
  return (process.memoryUsage().heapUsed - before) / (1024 * 1024)
}

const memoryFigure = async () => {
  const grown = await heapGrowthMiB()
  return { ours: grown, baseline: 1, ratio: grown }
}

const figures: ReadonlyArray<Figure> = [
  {
    name: "`get`, env hit",
    unit: "ns/op",
    baseline: "Config.Redacted over fromEnv",
    target: 0.5,
    measure: () =>
      sideBySide(rounds, () => timeEffect(n(100_000), manager.get(envRequest)), () => timeEffect(n(100_000), configEnv))
  },
  {
    name: "`get`, file hit",
    unit: "ns/op",
    baseline: "Config.Redacted over fromDir",
    target: 0.25,
    measure: () =>
      sideBySide(rounds, () => timeEffect(n(10_000), manager.get(fileRequest)), () => timeEffect(n(1_000), configDir))
  },
  {
    name: "`get`, file hit (every guard)",
    unit: "ns/op",
    baseline: "the raw guarded sequence, sync, in Effect.sync",
    target: 1.3,
    // Inside the same Effect loop, as for every Effect-side figure: both pay the loop's cost per iteration.
    measure: () =>
      sideBySide(
        rounds,
        () => timeEffect(n(20_000), manager.get(fileRequest)),
        () => timeEffect(n(20_000), Effect.sync(readGuarded))
      )
  },
  {
    name: "facade `secrets.g.k`, env hit",
    unit: "ns/op",
    baseline: "process.env[name]?.trim()",
    target: 6,
    measure: () =>
      sideBySide(
        rounds,
        () => timeSync(n(100_000), () => secrets.bench.token),
        () => timeSync(n(100_000), () => process.env[envName]?.trim())
      )
  },
  {
    name: "facade `secrets.g.k`, file hit",
    unit: "ns/op",
    baseline: "the raw guarded sequence, sync",
    target: 1.3,
    measure: () =>
      sideBySide(
        rounds,
        () => timeSync(n(20_000), () => secrets.bench.file_token),
        () => timeSync(n(20_000), readGuarded)
      )
  },
  {
    name: "full miss (a platform run: the variable and the file tried, error built)",
    unit: "ns/op",
    baseline: "`get` env hit",
    target: 10,
    // The same loop for both: each lookup inside Effect.ignore.
    measure: () =>
      sideBySide(
        rounds,
        () => timeEffect(n(20_000), Effect.ignore(manager.get(missRequest))),
        () => timeEffect(n(20_000), Effect.ignore(manager.get(envRequest)))
      )
  },
  {
    name: "`layerTest` file hit",
    unit: "ns/op",
    baseline: "`layerTest` env hit",
    target: 5,
    measure: () =>
      sideBySide(
        rounds,
        () => timeEffect(n(50_000), testManager.get(fileRequest)),
        () => timeEffect(n(50_000), testManager.get(envRequest))
      )
  },
  {
    name: "`layerNoDeps` over NodeFileSystem, file hit",
    unit: "ns/op",
    baseline: "the raw guarded sequence with fs.promises",
    target: 1.3,
    measure: () =>
      sideBySide(
        rounds,
        () => timeEffect(n(1_000), nodeFileSystemManager.get(fileRequest)),
        () => timeEffect(n(1_000), Effect.promise(() => rawGuardedReadAsync(filePath)))
      )
  },
  {
    name: "preflight, 1,000 declared file secrets",
    unit: "ns/op",
    baseline: "the raw guarded checks (no read: a preflight locates), in a loop",
    target: 1.3,
    measure: () => sideBySide(rounds, () => timePreflight(1000, n(20)), () => timeSync(n(20), checkMany(1000)))
  },
  {
    name: "scaling: preflight 1,000 vs 10 x 100",
    unit: "ns/op",
    baseline: "10 x preflight of 100",
    target: 1.2,
    measure: () =>
      sideBySide(rounds, () => timePreflight(1000, n(20)), async () => 10 * (await timePreflight(100, n(200))))
  },
  {
    name: "cold start: import the root + one facade read",
    unit: "ms",
    baseline: "import(\"effect\")",
    target: 0.75,
    measure: () => sideBySide(roundsOf(21), () => spawnMs(oursCold), () => spawnMs("await import(\"effect\")"))
  },
  {
    name: "cold start: import the facade alone + one read",
    unit: "ms",
    baseline: "import(\"effect\")",
    target: 0.75,
    measure: () => sideBySide(roundsOf(21), () => spawnMs(facadeCold), () => spawnMs("await import(\"effect\")"))
  },
  {
    name: "memory: heap growth after 100,000 lookups",
    unit: "MiB",
    baseline: "1 MiB",
    target: 1,
    measure: memoryFigure
  },
  {
    name: "memory: heap growth after 1,000,000 distinct facade names",
    unit: "MiB",
    baseline: "16 MiB (bounded caches)",
    target: 1,
    measure: async () => {
      const grown = await facadeNamesGrowthMiB()
      return { ours: grown, baseline: 16, ratio: grown / 16 }
    }
  },
  ...cacheFigures({ lib, rounds, n, manager, envRequest, timeEffect }),
  ...flyte2Figures({ rounds, n, manager, dir, value: secretValue, envRequest, fileRequest, timeEffect }),
  ...kubernetesFigures({ lib, rounds, n }),
  ...cliFigures({ rounds: roundsOf(11) }),
  ...maskingFigures({ rounds, n }),
  // Each round runs tsc twice (about a second each): fewer rounds keep the run short.
  ...typecheckFigures({ rounds: roundsOf(7) }),
  ...watchFigures({ lib, rounds }),
  ...telemetryFigures({ lib, rounds, n, envRequest, fileRequest })
]

// `--only <text>` runs the figures whose name contains the text.
const only = option("--only")
// `--figure <name>`: this process measures that one figure and prints its row (see the top of this file).
const oneFigure = option("--figure")
const measuredMarker = "figure measured: "

/** A figure measured in a process of its own. */
const measureAlone = (figure: Figure): Row => {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--figure", figure.name, ...(smoke ? ["--smoke"] : [])],
    { env: process.env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 * 1024 * 1024 }
  )
  const line = output.split("\n").find((each) => each.startsWith(measuredMarker))
  if (line === undefined) throw new Error(`The figure "${figure.name}" printed no measurement`)
  const measured = JSON.parse(line.slice(measuredMarker.length)) as Measured
  return row(figure.name, figure.unit, measured, figure.baseline, figure.target)
}

if (oneFigure !== undefined) {
  const figure = figures.find((each) => each.name === oneFigure)
  if (figure === undefined) throw new Error(`No figure is named "${oneFigure}"`)
  console.log(measuredMarker + JSON.stringify(await figure.measure()))
  await runtime.dispose()
  fs.rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}

// The machine's state, before the figures and after them (see machineState.ts).
const stateBefore = smoke ? undefined : machineState(path.join(dir, "bench", "absent"))
if (stateBefore !== undefined) console.log(describeState("before the figures", stateBefore))

const rows: Array<Row> = []
for (const figure of figures) {
  if (only !== undefined && !figure.name.includes(only)) continue
  const r = measureAlone(figure)
  rows.push(r)
  // A smoke run's counts are too small to measure anything: it says only that the figure ran.
  console.log(
    smoke
      ? `ran  ${r.figure} (smoke run: no measurement)`
      : `${r.met ? "met " : "MISS"} ${r.figure}: ${r.ratio.toFixed(2)}x (target <= ${r.target}x)`
  )
}

// The guarded read, step by step (Linux: the descriptor's path comes from /proc).
const steps = process.platform === "linux" && (only === undefined || "steps".includes(only))
  ? measureSteps(filePath, await libraryLayers(), rounds, n(10_000))
  : []
for (const { ns, step } of steps) console.log(smoke ? `ran  step ${step}` : `step ${step}: ${ns.toFixed(0)} ns`)

// What each file-read figure would cost at the least the rules allow, beside the library.
const floorInputs = async (): Promise<FloorInputs> => {
  const layers = await libraryLayers()
  const fileSystem = await runtime.runPromise(FileSystem.FileSystem.use(Effect.succeed))
  const { fileText }: typeof import("../src/internal/lookup/text.ts") = await internal("lookup/text.ts")
  const { registerSecretValue }: typeof import("../src/internal/masking/held.ts") = await internal("masking/held.ts")
  const preflight = Effect.provideService(preflightOf(manyPaths.length), SecretsManager, manager)
  return {
    dir,
    file: filePath,
    variable: "FLYTE_SECRETS_BENCH_FILE_TOKEN",
    manyFiles: manyPaths,
    manyVariables: manyPaths.map((_, i) => `FLYTE_SECRETS_MANY_KEY${i}`),
    maxBytes: 1024 * 1024,
    missVariable: "FLYTE_SECRETS_BENCH_ABSENT",
    missingFile: path.join(dir, "bench", "absent"),
    newMiss: () =>
      Reflect.construct(Data.Error, [{
        _tag: "SecretNotFound",
        group: missRequest.group,
        key: missRequest.key,
        reason: "NotFound",
        attempts: []
      }], lib.SecretNotFound),
    decode: fileText,
    register: registerSecretValue,
    library: {
      ...layers,
      preflight: () => Effect.runSync(preflight),
      fileSystemGet: nodeFileSystemManager.get(fileRequest),
      fileSystemReader: await fileSystemReader(fileSystem),
      envHit: Effect.ignore(manager.get(envRequest)),
      fullMiss: Effect.ignore(manager.get(missRequest))
    },
    fileSystem,
    timeEffect: (iterations, effect) => timeEffect(iterations, effect)
  }
}
const floors = process.platform === "linux" && (only === undefined || "floors".includes(only))
  ? [
    ...await measureFloors(await floorInputs(), {
      rounds,
      reads: n(5_000),
      preflights: n(5),
      asyncReads: n(500),
      misses: n(20_000)
    }),
    ...await cliFloors({ rounds: smoke ? 1 : 11 })
  ]
  : []
for (const { group, ratio, what } of floors) {
  console.log(smoke ? `ran  floor ${group}: ${what}` : `floor ${group}: ${what}: ${ratio.toFixed(3)}x`)
}

const stateAfter = smoke ? undefined : machineState(path.join(dir, "bench", "absent"))
if (stateAfter !== undefined) console.log(describeState("after the figures", stateAfter))

await runtime.dispose()
fs.rmSync(dir, { recursive: true, force: true })

const machine = `${os.cpus().length} cores (${
  os.cpus()[0]?.model ?? "unknown"
}), Node ${process.version}, ${os.platform()} ${os.release()}`
console.log(
  smoke
    ? "\nSmoke run: every figure ran; its counts are too small for the ratios to mean anything."
    : `\n${machine}\n\n${table(rows)}`
)
if (!smoke && only === undefined) {
  fs.writeFileSync(
    fileURLToPath(new URL("results.json", import.meta.url)),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        machineState: { before: stateBefore, after: stateAfter },
        rows,
        steps,
        floors
      },
      null,
      2
    ) + "\n"
  )
}
