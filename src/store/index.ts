/** Public surface of the store: the control plane's SQLite database and its repositories. */
export { StoreError, type StoreErrorCode } from "./errors.js";
export {
  EVENT_SEVERITIES,
  type EventLog,
  type EventSeverity,
  type ListEventsOptions,
  MAX_EVENT_DATA_BYTES,
  type NewEvent,
  type StoredEvent,
} from "./events.js";
export type { JsonValue } from "./json.js";
export { inspectSchema, MIGRATIONS, type Migration, migrate } from "./migrations.js";
export type { SettingsRepository } from "./settings.js";
export { DB_FILE, type OpenStoreOptions, openStore, type Store } from "./store.js";
export {
  type ApiToken,
  type ApiTokenRepository,
  TOKEN_PREFIX,
  TOKEN_ROLES,
  type TokenRole,
} from "./tokens.js";
export {
  type AppendVersionInput,
  type ConfigVersion,
  type ConfigVersionKind,
  type ConfigVersionRepository,
  type ConfigVersionSummary,
  MAX_CANONICAL_BYTES,
  MAX_DOCUMENT_BYTES,
  type PolicyOverride,
  ROLLOUT_STATES,
  type RolloutState,
  sha256Hex,
  VERSION_KINDS,
} from "./versions.js";
