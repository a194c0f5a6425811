// The JSON the command prints with --json. Stable: fields are added, never renamed or removed.

/** `effect-secrets where GROUP [KEY] --json` */
export interface WhereReport {
  found: boolean
  attempts: Array<{
    source: string // "declared-env" | "declared-file" | "env" | "file" | "local-env" | "request"
    location: string // a variable name or a path; never a value
    outcome: "found" | "missing" | "refused" // refused: something there may not be read
    reason?: string // why, for missing and refused
  }>
}

/** `effect-secrets doctor MODULE --json`: one entry per declared secret, task by task, in declaration order */
export interface DoctorReport {
  secrets: Array<{
    task: string // the name in the task's options
    group: string | null // null when the declaration has none (a key-only secret)
    key: string | null
    groupVersion?: string
    mountRequirement: "ANY" | "ENV_VAR" | "FILE"
    status: "found" | "missing"
    source?: string // when found
    location?: string // when found
    reason?: string // when missing: the places that refused it, or every place tried
    origin?: "flyte2" // a Flyte 2 declaration (Secret.flyte2)
  }>
}
