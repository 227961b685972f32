/**
 * Test harness of the API: a real control plane on a random loopback port over a fresh data folder,
 * one token per role, and `call` that sends real HTTP and returns status and parsed body.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlPlane, startControlPlane } from "../../src/control/server.js";
import type { TokenRole } from "../../src/store/tokens.js";

export const V1 = `
gateway: { listen: { host: 0.0.0.0, port: 8080 } }
upstreams: { shop: { targets: [http://127.0.0.1:3000], concurrency: { limit: 100 } } }
routes:
  - name: checkout
    match: { pathPrefix: /checkout }
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 10/s, burst: 20 }]
  - name: browse
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 50/s, burst: 100 }]
waf: { mode: blocking, modules: { sqli: on, xss: on } }
`;
/** An unrelated, harmless change. */
export const V1_PORT = V1.replace("port: 8080", "port: 8081");
/** The postmortem's update: the SQL-injection module switched off with an unrelated change. */
export const V2_SQLI_OFF = V1.replace("sqli: on", "sqli: off").replace("port: 8080", "port: 8082");
/** Two schema problems, on lines 3 and 4. */
export const INVALID = "gateway: { listen: { port: 8080 } }\nupstreams: {}\nroutes: 3\nwaf: { mode: nope }\n";

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of arbitrary JSON answers
  body: any;
  headers: Headers;
}

export interface TestControlPlane {
  readonly cp: ControlPlane;
  readonly dir: string;
  readonly tokens: Record<TokenRole, string>;
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; raw?: string; contentType?: string },
  ): Promise<Answer>;
  close(): Promise<void>;
}

export async function startTestControlPlane(): Promise<TestControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-api-"));
  const cp = await startControlPlane({ dataDir: dir, port: 0 });
  const admin = readFileSync(join(dir, "admin.token"), "utf8").trim();
  const tokens = { admin } as Record<TokenRole, string>;
  for (const role of ["viewer", "operator", "gateway"] as const)
    tokens[role] = cp.store.tokens.create(`${role}-1`, role).token;
  return {
    cp,
    dir,
    tokens,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? admin : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
      const res = await fetch(`${cp.url}/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await cp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
