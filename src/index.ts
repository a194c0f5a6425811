/**
 * effect-secrets: Flyte-style task secrets for TypeScript, built on Effect 4.
 *
 * @since 0.1.0
 */
export { Environment } from "./Environment.ts"
export * as Flyte2 from "./Flyte2.ts"
export * as Kubernetes from "./Kubernetes.ts"
export * as Masking from "./Masking.ts"
export {
  type Flyte2Input,
  type MountRequirement,
  Secret,
  type SecretIdl,
  type SecretInput,
  type SecretOrigin,
  type TypedSecret
} from "./Secret.ts"
export { SecretsCache, type SecretsCacheOptions, type SecretsCacheShape } from "./SecretsCache.ts"
export { SecretsConfig, type SecretsConfigShape } from "./SecretsConfig.ts"
export { type Attempt, MissingSecrets, SecretNotFound, type SecretNotFoundReason } from "./SecretsError.ts"
export { makeSecrets, type SecretGroup, type Secrets, secrets, type SecretsMethods } from "./SecretsFacade.ts"
export {
  type SecretLocation,
  type SecretRequest,
  SecretsManager,
  type SecretsManagerShape,
  type TestOptions,
  type WatchOptions
} from "./SecretsManager.ts"
export * as SecretsTelemetry from "./SecretsTelemetry.ts"
export {
  type DeclaredRequest,
  type InputOf,
  isTask,
  type SecurityContext,
  type SyncTask,
  type SyncTaskOptions,
  type Task,
  task,
  type TaskDefinition,
  type TaskOptions,
  type TaskSecrets,
  type TaskSecretsManager
} from "./Task.ts"
