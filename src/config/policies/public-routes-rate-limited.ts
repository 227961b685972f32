/**
 * public-routes-rate-limited: when the gateway listens on a non-loopback address, every route has
 * at least one rate limit. The outage of seed/postmortem.md was a surge of legitimate traffic that
 * nothing held back; a route without a limit is where the next one gets in.
 */
import { isLoopbackHost, named } from "./facts.js";
import { registerPolicy } from "./registry.js";

export const publicRoutesRateLimited = registerPolicy({
  name: "public-routes-rate-limited",
  description: "routes reachable from the network have a rate limit",
  severity: "error",
  overridable: true,
  hint: "add a rate limit, e.g. rateLimits: [{ name: per-ip, rate: 50/s, burst: 100, key: [ip] }]",
  check(next) {
    // The gateway has one client listener: every route is reachable through it.
    if (isLoopbackHost(next.gateway.listen.host)) return [];
    return next.routes
      .filter((r) => r.rateLimits.length === 0)
      .map((r) => ({
        path: `${named("routes", r.name)}.rateLimits`,
        message: `route ${r.name} is reachable on ${next.gateway.listen.host} without a rate limit`,
      }));
  },
});
