/**
 * Go's `strings.ToUpper`/`ToLower` and `filepath.Join`, which propeller names variables and paths with. Go maps
 * case one code point at a time (`"ß"` stays `"ß"`), where JavaScript may change the length (`"SS"`).
 */

const ascii = /^[\x00-\x7f]*$/

const mapEach = (text: string, map: (character: string) => string): string => {
  let out = ""
  for (const character of text) {
    const mapped = map(character)
    // Go has no mapping that changes the number of code points: such a character keeps its case.
    out += [...mapped].length === 1 ? mapped : character
  }
  return out
}

export const goToUpper = (text: string): string =>
  ascii.test(text) ? text.toUpperCase() : mapEach(text, (character) => character.toUpperCase())

export const goToLower = (text: string): string =>
  ascii.test(text) ? text.toLowerCase() : mapEach(text, (character) => character.toLowerCase())

// A part that joining leaves as it is: no empty, "." or ".." segment, no trailing slash (a leading one is a root).
const cleanPart = /^\/?(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/

/** `filepath.Join`: the non-empty parts joined by `/`, then cleaned (`.`, `..` and repeated slashes resolved). */
export const goJoin = (...parts: ReadonlyArray<string>): string => {
  // The common case, a clean root and clean names, needs no cleaning.
  if (parts.length > 0 && parts.every((part, index) => cleanPart.test(part) && (index === 0 || part[0] !== "/"))) {
    return parts.join("/")
  }
  const joined = parts.filter((part) => part !== "").join("/")
  if (joined === "") return ""
  const rooted = joined.startsWith("/")
  const segments: Array<string> = []
  for (const segment of joined.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === ".." && segments.length > 0 && segments[segments.length - 1] !== "..") segments.pop()
    else if (segment !== ".." || !rooted) segments.push(segment)
  }
  const cleaned = segments.join("/")
  return rooted ? "/" + cleaned : cleaned === "" ? "." : cleaned
}
