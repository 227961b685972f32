/**
 * admin-loopback: the admin listener (metrics, health, reload) stays on a loopback address.
 * Overridable, since a private network with a scraper on another host is a legitimate setup.
 */
import { isLoopbackHost } from "./facts.js";
import { registerPolicy } from "./registry.js";

export const adminLoopback = registerPolicy({
  name: "admin-loopback",
  description: "the admin listener is loopback-only",
  severity: "error",
  overridable: true,
  hint: "set gateway.admin.host: 127.0.0.1 and scrape metrics through a local agent",
  check(next) {
    const host = next.gateway.admin.host;
    return isLoopbackHost(host)
      ? []
      : [{ path: "gateway.admin.host", message: `the admin listener is exposed on ${host}` }];
  },
});
