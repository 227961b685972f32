/**
 * Facts about a config that policies and the plan share: which WAF modules are effectively on,
 * whether a host is loopback, how fast a rate is. One definition each, so a policy and the plan
 * never disagree about what "off" or "public" means.
 */
import { parseRate } from "../../ratelimit/index.js";
import { WAF_MODULES as CRS_MODULES } from "../../waf/crs/modules.js";
import type { RampartConfig } from "../schema.js";
import { WAF_MODULES as CONFIG_MODULES } from "../schema.js";

/** Every module name the WAF or the config knows. */
export const KNOWN_MODULES: readonly string[] = [
  ...new Set([...CONFIG_MODULES, ...CRS_MODULES.map((m) => m.name)]),
];

export function moduleDescription(name: string): string | undefined {
  return CRS_MODULES.find((m) => m.name === name)?.description;
}

/**
 * State of every module as the WAF will run it: a module the config does not name is on
 * (src/waf/crs/assemble.ts loads every module not set to "off").
 */
export function effectiveModules(config: RampartConfig): Record<string, "on" | "off"> {
  const out: Record<string, "on" | "off"> = {};
  for (const name of KNOWN_MODULES) out[name] = config.waf.modules[name] === "off" ? "off" : "on";
  for (const [name, state] of Object.entries(config.waf.modules)) out[name] = state;
  return out;
}

/** Whether a listener host accepts connections from this machine only. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h.startsWith("::ffff:")) h = h.slice(7);
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === "::1" || /^(0{1,4}:){7}0{0,3}1$/.test(h);
}

/** Requests per second of a rate string ("10/s" -> 10, "6000/min" -> 100); NaN if it is not a rate. */
export function perSecond(rate: string): number {
  try {
    const r = parseRate(rate);
    return (r.rate * 1000) / r.periodMs;
  } catch {
    return Number.NaN;
  }
}

/** The concurrency ceiling of an upstream (the limit, or the adaptive limit's max); undefined = unlimited. */
export function concurrencyCeiling(up: RampartConfig["upstreams"][string]): number | undefined {
  return up.concurrency?.limit ?? up.concurrency?.adaptive?.max;
}

/** `routes[name=checkout]`: how paths name an element of a named list. */
export function named(list: string, name: string): string {
  return `${list}[name=${name}]`;
}

/** The config as plans and user policies see it: plain data, every WAF module with its effective state. */
export function configView(config: RampartConfig): Record<string, unknown> {
  return { ...config, waf: { ...config.waf, modules: effectiveModules(config) } };
}
