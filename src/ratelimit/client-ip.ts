/**
 * The client address a rate limit should key on, behind zero or more trusted proxies.
 *
 * Rule (nginx ngx_http_realip_module with `real_ip_recursive on`, and Envoy's
 * xff_num_trusted_hops counted by CIDR instead of by number): walk the chain
 * [X-Forwarded-For entries..., socket peer] from the right, skipping addresses inside a trusted
 * proxy CIDR; the first untrusted one is the client. Entries left of it were written by the client
 * and cannot be believed. If every hop is trusted the left-most entry wins (as nginx does). An entry
 * that is not an address ("unknown", garbage) stops the walk, and the trusted hop that reported it
 * is used instead, so a forged value never becomes a key.
 */
import { CidrSet, scratchOps } from "./cidr.js";

// Config gives plain string arrays; compile each array once (the gateway passes the same array).
const compiled = new WeakMap<readonly string[], CidrSet>();

function setOf(trusted: readonly string[] | CidrSet): CidrSet {
  if (trusted instanceof CidrSet) return trusted;
  let set = compiled.get(trusted);
  if (set === undefined) {
    set = new CidrSet(trusted);
    compiled.set(trusted, set);
  }
  return set;
}

/**
 * The right-most untrusted address of the chain, in canonical form (RFC 5952, IPv4-mapped IPv6 as
 * a dotted quad) so that one client always yields one key. An unparsable peer address is returned
 * trimmed, as is. Throws RateLimitError(RATELIMIT_BAD_CIDR) if `trustedProxies` holds a bad CIDR
 * (once, when that array is first seen).
 */
export function clientIp(
  remoteAddr: string,
  xForwardedFor: string | undefined,
  trustedProxies: readonly string[] | CidrSet,
): string {
  const set = setOf(trustedProxies);
  if (scratchOps.parse(remoteAddr) === 0) return remoteAddr.trim();
  if (xForwardedFor === undefined || set.size === 0 || !set.matchScratch()) return scratchOps.format();
  let last = scratchOps.format();
  let end = xForwardedFor.length;
  while (end > 0) {
    const start = xForwardedFor.lastIndexOf(",", end - 1) + 1;
    const entry = xForwardedFor.slice(start, end);
    end = start - 1;
    if (entry.trim().length === 0) continue;
    if (scratchOps.parse(entry) === 0) return last;
    const canonical = scratchOps.format();
    if (!set.matchScratch()) return canonical;
    last = canonical;
  }
  return last;
}
