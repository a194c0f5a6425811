/**
 * YAML for kubectl, which reads YAML 1.1: there `yes`, `n`, `0b101`, `12:30:00`, `1_000`, `.inf`, `~` and
 * `2001-12-14` are booleans, numbers, null or timestamps, and `<<` is a merge key. The writer checks each plain
 * scalar against YAML 1.1's types and quotes a string that would be read as one; `<<` and `=` (YAML 1.1's value
 * key) are quoted too. Quoted, each is a string to YAML 1.2 readers as well. The `yaml` package is loaded on the
 * first call, so importing the library never loads it.
 */
import { createRequire } from "../nodeBuiltins.ts"

interface YamlTag {
  readonly tag: string
}

interface YamlModule {
  readonly stringify: (value: unknown, options: object) => string
}

let yamlModule: YamlModule | undefined

/**
 * Matches `<<` and `=`, which a YAML 1.1 reader gives a meaning, and YAML 1.2's octal `0o17`, text to YAML 1.1 but a
 * number to a YAML 1.2 reader: strings the writer must quote.
 */
const keyIndicators = {
  tag: "tag:yaml.org,2002:value",
  default: true,
  test: /^(?:<<|=|0o[0-7]+)$/,
  resolve: (text: string) => text
}

/**
 * YAML 1.1's tags without the merge tag, whose writer prints the string `<<` plain, as a merge key; with
 * `keyIndicators`, which has `<<` quoted instead.
 */
const tags = (schemaTags: ReadonlyArray<YamlTag>) => [
  ...schemaTags.filter((tag) => tag.tag !== "tag:yaml.org,2002:merge"),
  keyIndicators
]

/**
 * The `yaml` package, required from beside this file: a program that bundled the library inside it (a bundler does
 * not see this require) finds it only where `yaml` is installed beside the bundle.
 */
const loadYaml = (): YamlModule => {
  try {
    return createRequire(import.meta.url)("yaml") as YamlModule
  } catch (cause) {
    throw new Error(
      "Kubernetes.toYaml needs the package yaml (a dependency of effect-secrets), which could not be loaded. " +
        "Install it beside the program (npm install yaml); a bundled program must leave yaml out of the bundle.",
      { cause }
    )
  }
}

/** `value` as YAML that YAML 1.1 and 1.2 readers read back as `value`. */
export const toYaml = (value: unknown): string => {
  yamlModule ??= loadYaml()
  return yamlModule.stringify(value, { version: "1.1", customTags: tags, lineWidth: 0 })
}
