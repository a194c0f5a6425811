/**
 * The published JavaScript: each public module and the command line as an entry, the library's modules in a few
 * chunks they share (so a class is one class whichever entry point a program imports it through). Node's ES module
 * loader spends most of a cold start resolving and linking modules, and the library's hundred small modules cost more
 * to load than their code does to run: importing the facade loads two files, the root three. Effect, `yaml`, the
 * optional `@effect/platform-node` and Node's built-ins stay imports. Types come from `tsc` (`npm run build`).
 */
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { type ChunkingContext, defineConfig } from "rolldown"

const src = fileURLToPath(new URL("src/", import.meta.url))

const publicModules = fs.readdirSync(src).filter((file) => file.endsWith(".ts")).map((file) => file.slice(0, -3))

/** The library's modules an entry imports, directly or through others (not those it loads with `import()`). */
const staticallyReached = (entry: string, ctx: ChunkingContext): ReadonlySet<string> => {
  const reached = new Set<string>()
  const visit = (id: string) => {
    if (reached.has(id)) return
    reached.add(id)
    for (const imported of ctx.getModuleInfo(id)?.importedIds ?? []) if (imported.startsWith(src)) visit(imported)
  }
  visit(entry)
  return reached
}

interface Groups {
  readonly facade: ReadonlySet<string>
  readonly root: ReadonlySet<string>
}

/** The groups of one build, kept by its chunking context (a build in watch mode starts again with a new one). */
const groupsOfBuild = new WeakMap<ChunkingContext, Groups>()

/**
 * Two chunks for the two ways in: what the facade's import reaches, and what the root's reaches besides. Any other
 * module (the command line's, those loaded by `import()`) is split as its entries share it. (A third chunk for what the
 * root and the command line share, so that `effect-secrets where` would load no Kubernetes code, made the root's
 * import about 15 ms slower and the command no faster.)
 */
const chunkOf = (id: string, ctx: ChunkingContext): string | null => {
  let groups = groupsOfBuild.get(ctx)
  if (groups === undefined) {
    groups = {
      facade: staticallyReached(`${src}SecretsFacade.ts`, ctx),
      root: staticallyReached(`${src}index.ts`, ctx)
    }
    groupsOfBuild.set(ctx, groups)
  }
  return groups.facade.has(id) ? "facade" : groups.root.has(id) ? "library" : null
}

export default defineConfig({
  input: Object.fromEntries([
    ...publicModules.map((name) => [name, `${src}${name}.ts`]),
    ["bin/cli", `${src}bin/cli.ts`]
  ]),
  // Only the library's own files are bundled: every bare specifier is a dependency or a built-in.
  external: (id) => !id.startsWith(".") && !id.startsWith("/"),
  platform: "node",
  // Every module keeps what it does when loaded, whatever the package's `sideEffects` says to a user's bundler.
  treeshake: { moduleSideEffects: true },
  output: {
    dir: "dist",
    format: "esm",
    // The maps point into `src/`, which the package ships; the docs are in the `.d.ts` files, read by editors.
    sourcemap: true,
    sourcemapExcludeSources: true,
    comments: { legal: true, annotation: true, jsdoc: false },
    cleanDir: true,
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    codeSplitting: { groups: [{ name: chunkOf, debugName: "facade and library" }] }
  }
})
