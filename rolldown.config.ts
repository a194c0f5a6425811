/**
 * The published JavaScript: each public module and the command line as an entry, the modules they share in common
 * chunks (so a class is one class whichever entry point a program imports it through). One file per entry point
 * instead of one per module: Node's ES module loader spends most of a cold start resolving and linking modules, and
 * the library's hundred small modules cost more to load than their code does to run. Effect, `yaml`, the optional
 * `@effect/platform-node` and Node's built-ins stay imports. Types come from `tsc` (`npm run build`).
 */
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "rolldown"

const src = fileURLToPath(new URL("src/", import.meta.url))

const publicModules = fs.readdirSync(src).filter((file) => file.endsWith(".ts")).map((file) => file.slice(0, -3))

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
    chunkFileNames: "chunks/[name]-[hash].js"
  }
})
