/** Shared by the fleet tests: a store in a temp folder and config documents to apply. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyConfig } from "../../src/config/versions.js";
import { openStore, type Store } from "../../src/store/store.js";

export function tempStore(now?: () => Date): { store: Store; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "rampart-fleet-"));
  return { store: openStore(dir, now === undefined ? {} : { now }), dir };
}

/** A valid config; `extra` goes into the waf section, `upstream` is the shop's origin. */
export function doc(
  opts: { rate?: string; modules?: string; upstream?: string; mode?: string } = {},
): string {
  return `gateway:
  listen: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
  accessLog: "off"
upstreams:
  shop: { targets: [${opts.upstream ?? "http://127.0.0.1:9"}], connectTimeoutMs: 500 }
routes:
  - name: shop
    upstream: shop
    rateLimits: [{ name: per-ip, rate: ${opts.rate ?? "1000/s"}, burst: 1000 }]
waf:
  mode: ${opts.mode ?? "blocking"}
  errorLog: "off"
${opts.modules === undefined ? "" : `  modules: ${opts.modules}\n`}`;
}

export function apply(store: Store, document: string, message = "change"): number {
  return applyConfig(store, { document, message, actor: { name: "ops", role: "admin" } }).version.id;
}
