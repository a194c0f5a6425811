/**
 * An environment over a record of variables: `process.env` for the live layer, a copy for tests and the CLI.
 */
import type { Environment } from "../../Environment.ts"

/** An `Environment` over a record that may change later: every read sees it as it is then. */
export const environmentOver = (record: Readonly<Record<string, string | undefined>>): Environment["Service"] => ({
  names: () => Object.keys(record),
  get: (name) => {
    const value = record[name]
    if (typeof value !== "string") return undefined
    // One read is enough unless the name is also a property of every object (a polluted prototype could give a
    // string there): then only the record's own variable counts.
    return name in Object.prototype && !Object.hasOwn(record, name) ? undefined : value
  }
})
