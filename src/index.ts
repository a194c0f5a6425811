/**
 * effect-secrets: Flyte-style task secrets for TypeScript, built on Effect 4.
 *
 * @since 0.1.0
 */
export { Environment } from "./Environment.ts"
export { type Attempt, MissingSecrets, SecretNotFound } from "./errors.ts"
export { type MountRequirement, Secret, type SecretIdl, type SecretInput } from "./Secret.ts"
export { makeSecrets, type SecretGroup, type Secrets, secrets, type SecretsMethods } from "./Secrets.ts"
export { SecretsConfig, type SecretsConfigShape } from "./SecretsConfig.ts"
export {
  type SecretLocation,
  type SecretRequest,
  SecretsManager,
  type SecretsManagerShape,
  type TestOptions
} from "./SecretsManager.ts"
export {
  type SecurityContext,
  type SyncTask,
  type SyncTaskOptions,
  type Task,
  task,
  type TaskDefinition,
  type TaskOptions
} from "./Task.ts"
