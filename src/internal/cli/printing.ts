/**
 * What the commands print: lines masked on their way out (no command prints a secret value; masking makes sure),
 * aligned columns, and secret names shown so that no name can forge text in a terminal.
 */
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as TerminalCapabilities from "effect/cli/TerminalCapabilities"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { mask } from "../../Masking.ts"
import { hasHiddenCharacter, quoteName } from "../lookup/naming.ts"

/** Prints text to stdout, every registered secret value masked. */
export const print = (text: string): Effect.Effect<void> => Console.log(mask(text))

/** Rows as aligned columns, two spaces apart, without trailing spaces. */
export const columns = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, index) => widths[index] = Math.max(widths[index] ?? 0, cell.length))
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index]!)).join("  ").trimEnd()).join("\n")
}

/** What a POSIX shell reads as it is, outside quotes; `=` not first (zsh reads `=name` as the command's path). */
const shellPlain = /^[A-Za-z0-9/._\-+,:@%][A-Za-z0-9/._\-+,:@%=]*$/

/**
 * Text as one word a POSIX shell (sh, bash, zsh) reads back as the text, for a command to copy: as it is when plain,
 * otherwise in single quotes, where nothing expands (`'` as `'\''`). Callers refuse text holding a hidden character
 * first: quotes do not stop a terminal from acting on it.
 */
export const shellWord = (text: string): string => shellPlain.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`

// Linux's PATH_MAX: no path a command can use is longer, nor any name or flag a user types.
const maxShownLength = 4096

/**
 * Text a user typed, in quotes with its invisible characters escaped; only its length when it, or its escaped form,
 * is longer than any path can be (messages stay short, S14: an escape is up to 10 characters).
 */
export const quoted = (text: string): string => {
  const quotedText = text.length <= maxShownLength ? quoteName(text) : undefined
  return quotedText !== undefined && quotedText.length <= maxShownLength + 2
    ? quotedText
    : `(${text.length} characters)`
}

/** A name or path as typed when it is plain printable ASCII, otherwise `quoted`. */
export const shown = (name: string): string =>
  name.length <= maxShownLength && /^[\x21-\x7e]+$/.test(name) ? name : quoted(name)

/** A secret's names as one word: `group/key`, a name alone when the other is left out, and its version. */
export const secretName = (
  secret: {
    readonly group?: string | undefined
    readonly key?: string | undefined
    readonly groupVersion?: string | undefined
  }
): string => {
  const { group, groupVersion, key } = secret
  const name = group === undefined
    ? `${shown(key ?? "")} (key only)`
    : key === undefined
    ? `${shown(group)} (group only)`
    : `${shown(group)}/${shown(key)}`
  return groupVersion === undefined ? name : `${name} (version ${shown(groupVersion)})`
}

/** Text with every hidden character but those `kept` escaped (`\n`, `\u{202e}`): printed, it forges no text. */
export const escapeHidden = (text: string, kept = ""): string =>
  [...text].map((character) =>
    !kept.includes(character) && hasHiddenCharacter(character) ? quoteName(character).slice(1, -1) : character
  ).join("")

/**
 * The parser's messages keep their line breaks and ESC: its formatter escapes control characters in a message (ESC
 * among them) and colours its own output with ESC sequences, but not a carriage return, a tab or a format, separator
 * or invisible character.
 */
const escapeParserHidden = (text: string): string => escapeHidden(text, "\n\u001b")

/** Whether a text, or its escaped form, is longer than any path can be. */
const tooLong = (text: string): boolean => text.length > maxShownLength || escapeHidden(text).length > maxShownLength

/** A text the user typed, as the parser's message quotes it: on one line, or only its length (`shown`'s rule). */
const typed = (text: string): string => tooLong(text) ? `(${text.length} characters)` : escapeHidden(text)

/** How many of the parser's errors, or of the arguments one names, are shown: a cluster `-abc...` makes one each. */
const maxShownErrors = 10

const firstShown = (items: ReadonlyArray<string>): Array<string> =>
  items.length > maxShownErrors
    ? [...items.slice(0, maxShownErrors), `(${items.length - maxShownErrors} more)`]
    : [...items]

/** The parser's error with what the user typed in it made printable: its message quotes it as it was typed. */
const tamed = (error: CliError.CliError): CliError.CliError => {
  switch (error._tag) {
    case "UnrecognizedOption":
      return new CliError.UnrecognizedOption({ ...fieldsOf(error), option: typed(error.option) })
    case "InvalidValue":
      return new CliError.InvalidValue({ ...fieldsOf(error), value: typed(error.value) })
    case "UnknownSubcommand":
      return new CliError.UnknownSubcommand({ ...fieldsOf(error), subcommand: typed(error.subcommand) })
    case "UnexpectedArgument":
      // Each is printed as JSON, which escapes a line break.
      return new CliError.UnexpectedArgument({
        arguments: firstShown(error.arguments.map((text) => tooLong(text) ? typed(text) : text))
      })
    default:
      return error
  }
}

/** An error's fields, to make it again with one changed. */
const fieldsOf = <A extends object>(error: A): Omit<A, "_tag" | "message"> => ({ ...error })

/** The errors tamed, each message once, at most `maxShownErrors` of them. */
const tamedList = (errors: ReadonlyArray<CliError.CliError>): Array<CliError.CliError> => {
  const byMessage = new Map<string, CliError.CliError>()
  for (const error of errors.map(tamed)) if (!byMessage.has(error.message)) byMessage.set(error.message, error)
  const unique = [...byMessage.values()]
  return unique.length > maxShownErrors
    ? [
      ...unique.slice(0, maxShownErrors),
      new CliError.ValidationError({ message: `(${unique.length - maxShownErrors} more errors)` })
    ]
    : unique
}

/**
 * The parser's default formatter (coloured where the terminal can be); its errors, which quote what was typed, made
 * printable and short.
 */
export const escapingFormatter: Effect.Effect<CliOutput.Formatter> = Effect.contextWith((context) => {
  const colors = Context.get(context, TerminalCapabilities.TerminalCapabilities).canColor
  const base = CliOutput.defaultFormatter({ colors })
  return Effect.succeed({
    ...base,
    formatCliError: (error) => escapeParserHidden(base.formatCliError(tamed(error))),
    formatError: (error) => escapeParserHidden(base.formatError(tamed(error))),
    formatErrors: (errors) => escapeParserHidden(base.formatErrors(tamedList(errors)))
  })
})
