/** Configs for policy and plan tests: the default config with a patch, through the real schema. */
import { defaultConfig } from "../../../src/config/defaults.js";
import { DEFAULT_POLICY_SETTINGS, type PolicyContext } from "../../../src/config/policies/index.js";
import { type RampartConfig, rampartConfigSchema } from "../../../src/config/schema.js";

/** The default config (public listener, loopback admin, sqli and xss on) changed by `patch`. */
export function config(patch: (c: RampartConfig) => void = () => {}): RampartConfig {
  const c = structuredClone(defaultConfig());
  patch(c);
  return rampartConfigSchema.parse(c);
}

export function ctx(extra: Partial<PolicyContext> = {}): PolicyContext {
  return { settings: DEFAULT_POLICY_SETTINGS, ...extra };
}
