/**
 * A Flyte 2 group that is a URI: the Azure secret manager takes a Key Vault secret's URI
 * (`https://myvault.vault.azure.net/secrets/db-password`) as the group. It writes the file named by the URI's last
 * segment, and puts the URI in a shell command, double-quoted, and the file name unquoted. So a URI group is only
 * `https://` or `http://`, a host, and path segments that are each a safe name spelt in characters no shell reads as
 * code or a separator.
 */
import { maxNamePartLength, quoteName, unsafePartReason } from "./naming.ts"

/** `scheme://host[:port]/path`: the host a DNS name, the path split into segments below. */
const uriShape = /^(https?):\/\/([^/]*)(\/.*)?$/s

const hostPattern = /^[A-Za-z0-9]([-.A-Za-z0-9]*[A-Za-z0-9])?(:[0-9]{1,5})?$/

/**
 * RFC 3986's unreserved characters: what a Key Vault URI is spelt with. No query, fragment or user info (they would
 * change what is fetched), no percent escape (`%2e%2e` is `..` to the server, a literal name to the file system),
 * nothing a shell expands or splits on (`"`, `$`, `` ` ``, spaces).
 */
const segmentPattern = /^[-._~A-Za-z0-9]+$/

const what = (group: string) => `unsafe name: group ${quoteName(group)}`

/** Why the path's segments cannot be a URI group's, or `undefined`. */
const segmentsReason = (group: string, path: string): string | undefined => {
  const segments = path.slice(1).split("/")
  if (path === "/" || path === "") return `${what(group)} has no path: name the secret (https://<vault>/secrets/<name>)`
  for (const segment of segments) {
    if (segment === "") return `${what(group)} has an empty path segment ("//" or a trailing "/"): remove it`
    const unsafe = unsafePartReason("group segment", segment)
    if (unsafe !== undefined) return unsafe
    if (!segmentPattern.test(segment)) {
      return `${what(group)}: the segment ${quoteName(segment)} may hold only letters, digits, "-", ".", "_" and "~" ` +
        `(no query, fragment, percent escape, space or quote)`
    }
  }
  return undefined
}

/**
 * Why a group holding `/` cannot be a Flyte 2 URI group, or `undefined` when it is one: `https://` or `http://`, a
 * host, at least one path segment, each segment a safe name of URI characters, at most 253 characters in all (the
 * longest group a reader looks up).
 */
export const uriGroupReason = (group: string): string | undefined => {
  if (group.length > maxNamePartLength) {
    return `unsafe name: group is ${group.length} characters long, over the ${maxNamePartLength}-character limit`
  }
  const match = uriShape.exec(group)
  if (match === null) {
    return `${what(group)} holds "/": a Flyte 2 group may hold "/" only as an https:// or http:// URI (a Key ` +
      `Vault secret: https://<vault>.vault.azure.net/secrets/<name>)`
  }
  const host = match[2]!
  if (!hostPattern.test(host)) {
    return `${what(group)} has no host, or one that is not a DNS name with an optional port`
  }
  return segmentsReason(group, match[3] ?? "")
}
