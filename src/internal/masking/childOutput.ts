/**
 * A child process's stdout and stderr, masked on their way to ours (as `op run` conceals secrets in a command's
 * output): each stream that is not a terminal is piped through a masked stream of bytes; a terminal is passed to
 * the child untouched unless asked (through a pipe the child would lose colours and line editing).
 *
 * **Details**
 *
 * - Output is emitted as it comes, holding back only what may be the beginning of a value; the rest is flushed
 *   when the child's stream ends.
 * - The child's exit flushes too: a stream still open a moment after the child exited (a background process it
 *   started holds it) is flushed and let go, so that the command never waits on it.
 */
import type { ChildProcess, StdioOptions } from "node:child_process"
import { Transform } from "node:stream"
import { byteMaskingStream } from "./stream.ts"

/** What to mask in a child's output, and whether to mask a stream that is a terminal too. */
export interface OutputMasking {
  readonly forms: ReadonlyArray<string>
  /** Values that are not text, masked byte for byte. */
  readonly rawBytes?: ReadonlyArray<Uint8Array>
  readonly maskTerminals: boolean
}

/** How long after the child's exit a stream it left open is still read. */
const graceAfterExit = 500

/** A Transform that masks `forms` (and `rawBytes`, byte for byte) in the bytes through it. */
export const maskingTransform = (forms: ReadonlyArray<string>, rawBytes?: ReadonlyArray<Uint8Array>): Transform => {
  const stream = byteMaskingStream(forms, rawBytes)
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const masked = stream.write(chunk)
      if (masked.byteLength > 0) this.push(masked)
      callback()
    },
    flush(callback) {
      // A command's output can stop anywhere, inside a value's two writes when a signal ends the command.
      const masked = stream.end(true)
      if (masked.byteLength > 0) this.push(masked)
      callback()
    }
  })
}

const outputs = [process.stdout, process.stderr] as const

/** Whether our stream `index` (0 stdout, 1 stderr) is masked: masking asked for, and not a terminal unless asked. */
const masks = (masking: OutputMasking | undefined, index: 0 | 1): boolean =>
  masking !== undefined && (masking.maskTerminals || outputs[index].isTTY !== true)

/** The child's stdio: stdin shared; stdout and stderr piped where they are masked, shared otherwise. */
export const childStdio = (masking: OutputMasking | undefined): StdioOptions => [
  "inherit",
  masks(masking, 0) ? "pipe" : "inherit",
  masks(masking, 1) ? "pipe" : "inherit"
]

/**
 * Pipes the child's masked streams into ours. Returns a function to call when the child exits: it calls `done` once
 * every masked stream is flushed (at once when none is).
 */
export const pipeMaskedOutput = (
  child: ChildProcess,
  masking: OutputMasking | undefined
): (done: () => void) => void => {
  const flushed: Array<Promise<void>> = []
  const letGo: Array<() => void> = []
  for (const [index, source] of [child.stdout, child.stderr].entries()) {
    if (source === null || masking === undefined) continue
    const transform = maskingTransform(masking.forms, masking.rawBytes)
    const destination = outputs[index]!
    source.pipe(transform).pipe(destination, { end: false })
    flushed.push(new Promise((resolve) => transform.once("close", resolve)))
    letGo.push(() => {
      source.unpipe(transform)
      source.destroy()
      transform.end()
    })
    // Our output closed (a reader that stopped, as `| head` does): the command's pipe is closed too, so that it
    // gets the same EPIPE or SIGPIPE it would have got writing there itself.
    const closed = () => {
      source.unpipe(transform)
      source.destroy()
      transform.destroy()
    }
    destination.once("error", closed)
    transform.once("close", () => destination.off("error", closed))
  }
  return (done) => {
    if (flushed.length === 0) return done()
    const timer = setTimeout(() => letGo.forEach((release) => release()), graceAfterExit)
    void Promise.all(flushed).then(() => {
      clearTimeout(timer)
      done()
    })
  }
}
