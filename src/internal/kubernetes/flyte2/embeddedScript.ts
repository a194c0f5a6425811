/**
 * What the Embedded init container's script writes, replayed: `printf "%s" "$SECRETS" | awk ...` reads each line
 * with an `=` after its first character, takes the name before the first `=` (busybox and mawk keep it whole) and
 * pipes the rest to `base64 -d > /etc/flyte/secrets/<name>`. awk keeps one pipe per command, so a name written
 * twice gets both values, one after the other. The name is not quoted in that shell command: a name the shell would
 * read otherwise is refused here rather than guessed at.
 */
import type { Container } from "../../../Kubernetes.ts"
import { quoteName } from "../../lookup/naming.ts"
import type { Problem } from "../problems.ts"
import { isPlainShellWord } from "../shellNames.ts"
import { embeddedScript, secretsVariable } from "./embeddedInjector.ts"

/** The Embedded init container's files, by name relative to the secrets directory, or `undefined` if it is not one. */
export const embeddedFiles = (
  initContainer: Container
): ReadonlyMap<string, Uint8Array> | Problem | undefined => {
  const command = initContainer.command
  if (command?.length !== 3 || command[0] !== "sh" || command[1] !== "-c" || command[2] !== embeddedScript) {
    return undefined
  }
  const secrets = initContainer.env?.find((envVar) => envVar.name === secretsVariable)?.value ?? ""
  const files = new Map<string, Array<Uint8Array>>()
  for (const line of secrets.split("\n")) {
    // awk's /^.+=/ wants an "=" after the first character; its name ends at the first "=".
    if (line.lastIndexOf("=") < 1) continue
    const equals = line.indexOf("=")
    const name = line.slice(0, equals)
    if (!isPlainShellWord(name)) {
      return {
        reason: "UnsupportedLayout",
        detail: `the key ${quoteName(name)} would be read by the init container's shell as more than a file name`
      }
    }
    files.set(name, [...(files.get(name) ?? []), Buffer.from(line.slice(equals + 1), "base64")])
  }
  return new Map([...files].map(([name, parts]) => [name, Buffer.concat(parts)]))
}
