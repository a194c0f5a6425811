/**
 * The failure for a request the manager's reader refuses, built as the manager builds it (reason `InvalidRequest`,
 * one refused attempt at `request` saying why), so a cached manager refuses with the same error without asking the
 * manager it wraps. Name parts are kept only when they are safe to show.
 */
import { SecretNotFound } from "../../SecretsError.ts"
import { readRequest } from "../lookup/request.ts"
import { withoutStackTrace } from "../stackTrace.ts"

const ownName = (request: object, field: "group" | "key" | "groupVersion"): unknown =>
  Object.hasOwn(request, field) ? (request as Record<string, unknown>)[field] : undefined

const safeName = (request: unknown) => {
  if (typeof request !== "object" || request === null) return {}
  const checked = readRequest({
    group: ownName(request, "group"),
    key: ownName(request, "key"),
    groupVersion: ownName(request, "groupVersion")
  })
  if (typeof checked === "string") return {}
  const { group, groupVersion, key } = checked.name
  return {
    ...(group === undefined ? {} : { group }),
    ...(key === undefined ? {} : { key }),
    ...(groupVersion === undefined ? {} : { groupVersion })
  }
}

export const refusal = (request: unknown, problem: string): SecretNotFound =>
  withoutStackTrace(() =>
    new SecretNotFound({
      ...safeName(request),
      reason: "InvalidRequest",
      attempts: [{ source: "request", location: "request", outcome: "refused", reason: problem }]
    })
  )
