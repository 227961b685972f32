/**
 * The config `rampart up` starts with when the user has none: one upstream (the demo shop), checkout
 * first, browsing last, a per-IP limit everywhere. It goes through the same schema as a user's file,
 * so defaults are filled in one place.
 */
import { type RampartConfig, type RampartConfigInput, rampartConfigSchema } from "./schema.js";

export interface DefaultConfigOptions {
  /** Origin of the shop, e.g. http://127.0.0.1:3000. */
  readonly upstream?: string;
  readonly listenHost?: string;
  readonly port?: number;
  readonly adminPort?: number;
  /** Upstream concurrency limit (load shedding starts beyond it plus the queue). */
  readonly concurrency?: number;
}

export function defaultConfig(opts: DefaultConfigOptions = {}): RampartConfig {
  const input: RampartConfigInput = {
    gateway: {
      listen: { host: opts.listenHost ?? "0.0.0.0", port: opts.port ?? 8080 },
      admin: { host: "127.0.0.1", port: opts.adminPort ?? 9901 },
    },
    upstreams: {
      shop: {
        targets: [opts.upstream ?? "http://127.0.0.1:3000"],
        concurrency: { limit: opts.concurrency ?? 100 },
        queue: { size: 200, timeoutMs: 1000 },
      },
    },
    routes: [
      {
        name: "checkout",
        match: { pathPrefix: "/checkout" },
        upstream: "shop",
        priority: "critical",
        rateLimits: [{ name: "per-ip", rate: "10/s", burst: 20, key: ["ip"] }],
      },
      {
        name: "cart",
        match: { pathPrefix: "/cart" },
        upstream: "shop",
        priority: "high",
        rateLimits: [{ name: "per-ip", rate: "20/s", burst: 40, key: ["ip"] }],
      },
      {
        // Search and listings are what crawlers and scrapers hammer: first to be shed.
        name: "search",
        match: { pathPrefix: "/search" },
        upstream: "shop",
        priority: "low",
        rateLimits: [{ name: "per-ip", rate: "5/s", burst: 10, key: ["ip"] }],
      },
      {
        name: "browse",
        match: { pathPrefix: "/" },
        upstream: "shop",
        priority: "normal",
        rateLimits: [{ name: "per-ip", rate: "50/s", burst: 100, key: ["ip"] }],
      },
    ],
    waf: { mode: "blocking", paranoia: 1, modules: { sqli: "on", xss: "on" } },
  };
  return rampartConfigSchema.parse(input);
}
