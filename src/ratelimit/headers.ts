/**
 * RateLimit response headers of draft-ietf-httpapi-ratelimit-headers (draft 11, May 2026):
 *   RateLimit-Policy: "per-ip";q=100;w=1, "per-route";q=6000;w=60     (every policy that applied)
 *   RateLimit: "per-ip";r=0;t=3                                        (the most restrictive one)
 *   Retry-After: 3                                                     (RFC 9110 10.2.3, when refused)
 * Both fields are Structured Field Lists (RFC 9651) of String items with Integer parameters.
 *
 * `q`/`w` describe the sustained rate: `w` must be a whole number of seconds (draft 3.1.3), so a
 * period that is not a whole second is widened to the next second and `q` scaled down to match.
 * `t` is the policy's reset time in whole seconds rounded up; on a refusal the draft (section 6) says
 * Retry-After SHOULD NOT point before the end of the effective window, and with r=0 that window is
 * exactly the wait until one request passes, so refused items carry t = Retry-After.
 */
import type { RateLimitDecision, RateLimitPolicy } from "./types.js";

export interface RateLimitHeaders {
  readonly "RateLimit-Policy"?: string;
  readonly RateLimit?: string;
  /** Integer seconds, at least 1; present only when a decision refused the request. */
  readonly "Retry-After"?: string;
}

// A policy's item and name are the same on every response: build them once per policy object.
const policyItems = new WeakMap<RateLimitPolicy, string>();
const policyNames = new WeakMap<RateLimitPolicy, string>();

/** Serialises `s` as an sf-string (RFC 9651 4.1.6): printable ASCII, `"` and `\` escaped. */
export function sfString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${s[i]}`;
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else out += "?"; // sf-string cannot carry other characters; names come from config, keep them visible
  }
  return `${out}"`;
}

/** `"name";q=…;w=…` for one policy. */
export function policyItem(policy: RateLimitPolicy): string {
  let item = policyItems.get(policy);
  if (item === undefined) {
    const w = Math.max(1, Math.ceil(policy.periodMs / 1000));
    const q = Math.floor((policy.rate * w * 1000) / policy.periodMs);
    item = `${policyName(policy)};q=${q};w=${w}`;
    policyItems.set(policy, item);
  }
  return item;
}

function policyName(policy: RateLimitPolicy): string {
  let name = policyNames.get(policy);
  if (name === undefined) {
    name = sfString(policy.name);
    policyNames.set(policy, name);
  }
  return name;
}

function ceilSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.ceil(ms / 1000 - 1e-9);
}

/** Retry-After seconds for a refused decision: rounded up, at least 1. */
export function retryAfterSeconds(d: RateLimitDecision): number {
  const s = ceilSeconds(d.retryAfterMs);
  return Math.max(s, 1);
}

/**
 * Most restrictive first: a refusal beats a pass (the longest wait among refusals); among passes
 * the fewest remaining, then the longest reset.
 */
function moreRestrictive(a: RateLimitDecision, b: RateLimitDecision): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  if (!a.allowed) return a.retryAfterMs > b.retryAfterMs;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  return a.resetMs > b.resetMs;
}

/** Headers for the decisions taken on one request (one per policy that applied). */
export function rateLimitHeaders(decisions: readonly RateLimitDecision[]): RateLimitHeaders {
  const first = decisions[0];
  if (first === undefined) return {};
  let worst = first;
  let policy = policyItem(first.policy);
  for (let i = 1; i < decisions.length; i++) {
    const d = decisions[i]!;
    policy += `, ${policyItem(d.policy)}`;
    if (moreRestrictive(d, worst)) worst = d;
  }
  const name = policyName(worst.policy);
  if (worst.allowed) {
    return {
      "RateLimit-Policy": policy,
      RateLimit: `${name};r=${Math.max(0, Math.floor(worst.remaining))};t=${ceilSeconds(worst.resetMs)}`,
    };
  }
  const retry = retryAfterSeconds(worst);
  return { "RateLimit-Policy": policy, RateLimit: `${name};r=0;t=${retry}`, "Retry-After": String(retry) };
}
