import * as path from "node:path"
import { defineConfig } from "vitest/config"

const src = path.resolve(import.meta.dirname, "src")

export default defineConfig({
  // Examples import the package by name, as users do: here it is this checkout's source.
  resolve: {
    alias: [
      { find: /^effect-secrets$/, replacement: path.join(src, "index.ts") },
      { find: /^effect-secrets\/(.*)$/, replacement: path.join(src, "$1.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000
  }
})
