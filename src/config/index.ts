/** Public surface of the config part. */
export { type DefaultConfigOptions, defaultConfig } from "./defaults.js";
export { ConfigError, type ConfigIssue, formatIssues } from "./errors.js";
export { formatPath, loadConfig, parseConfig } from "./load.js";
export {
  type GatewaySettings,
  PRIORITIES,
  type RampartConfig,
  type RampartConfigInput,
  type RateLimitConfig,
  type RouteConfig,
  type RoutePriority,
  rampartConfigSchema,
  type UpstreamConfig,
  WAF_MODULES,
  type WafConfig,
} from "./schema.js";
