/**
 * The gateway's control client (src/gateway/control-client.ts) against a real control plane in
 * this process: bootstrap from the control plane or the kept file, a version that does not load is
 * reported and not applied, the connection gauge, and no WAF-less fallback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetFor } from "../../src/control/fleet.js";
import { type ControlPlane, startControlPlane } from "../../src/control/server.js";
import {
  ControlClient,
  ControlClientError,
  readLastGood,
  startControlledGateway,
} from "../../src/gateway/control-client.js";
import { wafGuardFactory } from "../../src/gateway/waf.js";
import { doc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-control-client-"));
const logger = pino({ level: "silent" });
const quietWaf = () => wafGuardFactory({ sink: { errorLine: () => {}, auditRecord: () => {} } });
let cp: ControlPlane;
let admin: string;
let gwToken: string;

async function apply(document: string): Promise<number> {
  const res = await fetch(`${cp.url}/api/v1/config/apply`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ document, message: "test" }),
  });
  const body = (await res.json()) as { version?: number; message?: string };
  if (body.version === undefined) throw new Error(`apply: ${res.status} ${body.message}`);
  return body.version;
}

async function until<T>(f: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  cp = await startControlPlane({ dataDir: join(dir, "control"), port: 0, bootstrap: false });
  admin = cp.store.tokens.create("ops", "admin").token;
  gwToken = cp.store.tokens.create("*", "gateway" as "admin").token;
});
afterAll(async () => {
  const t0 = Date.now();
  await cp.close().catch(() => {});
  // Every client closed its connections: nothing holds the control plane's shutdown.
  expect(Date.now() - t0).toBeLessThan(2000);
  rmSync(dir, { recursive: true, force: true });
});

describe("readLastGood", () => {
  it.each([
    { name: "absent", text: undefined, ok: false },
    { name: "empty", text: "", ok: false },
    { name: "not JSON", text: "\u00ff\u00fe{", ok: false },
    { name: "wrong shape", text: '{"version":"1","hash":"x","document":"y"}', ok: false },
    { name: "good", text: '{"version":1,"hash":"x","document":"y"}', ok: true },
  ])("$name", (c) => {
    const file = join(dir, `lastgood-${c.name}.json`);
    if (c.text !== undefined) writeFileSync(file, c.text);
    expect(readLastGood(file) !== undefined).toBe(c.ok);
  });
});

describe("ControlClient", () => {
  it("refuses to start with neither a control plane nor a kept config", async () => {
    const client = new ControlClient({
      controlUrl: "http://127.0.0.1:9",
      token: gwToken,
      id: "lonely",
      stateFile: join(dir, "none.json"),
      logger,
    });
    const err = await client.bootstrap(1000).catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(ControlClientError);
    expect((err as ControlClientError).code).toBe("CONTROL_NO_CONFIG");
  });

  it("a bad token is an error, not an empty config", async () => {
    await apply(doc());
    const client = new ControlClient({
      controlUrl: cp.url,
      token: "rmp_nope",
      id: "x",
      stateFile: join(dir, "x.json"),
      logger,
    });
    await expect(client.bootstrap(2000)).rejects.toThrow(/no config to serve: control plane answered 401/);
    await client.close();
  });

  it("follows versions, reports one that does not load without applying it, keeps the last good one across a restart", async () => {
    const stateFile = join(dir, "edge-1.json");
    const v1 = await apply(doc({ rate: "700/s" }));
    const { gateway, client } = await startControlledGateway({
      controlUrl: cp.url,
      token: gwToken,
      id: "edge-1",
      stateFile,
      logger,
      guard: quietWaf(),
      attestIntervalMs: 200,
    });
    try {
      expect(client.status()).toMatchObject({ connected: true, version: v1 });
      expect(readLastGood(stateFile)?.version).toBe(v1);
      expect(gateway.metrics.render()).toMatch(/rampart_control_connected 1/);

      // A CRS folder that does not exist: valid YAML, but the WAF cannot load it.
      const bad = await apply(
        doc({ rate: "700/s" }).replace('errorLog: "off"', 'errorLog: "off"\n  crs: /nonexistent/crs'),
      );
      const listed = await until(() =>
        fleetFor(cp.store)
          .list()
          .find((g) => g.id === "edge-1" && g.lastError !== null),
      );
      expect(listed.lastError).toMatch(new RegExp(`version ${bad} not applied`));
      expect(listed.runningVersion).toBe(v1);
      expect(gateway.config.routes[0]?.rateLimits[0]?.rate).toBe("700/s");
      expect((gateway.wafStatus() as { mode: string }).mode).toBe("blocking");
      expect(readLastGood(stateFile)?.version).toBe(v1);
      // The broken version is not fetched and compiled again and again while it stays assigned.
      const polls = fleetFor(cp.store);
      const original = polls.waitForAssignment.bind(polls);
      let count = 0;
      polls.waitForAssignment = (...a) => {
        count++;
        return original(...a);
      };
      await new Promise((r) => setTimeout(r, 1000));
      polls.waitForAssignment = original;
      expect(count).toBeLessThanOrEqual(1);

      const v3 = await apply(doc({ rate: "600/s" }));
      await until(() => (client.status().version === v3 ? true : undefined));
      expect(gateway.config.routes[0]?.rateLimits[0]?.rate).toBe("600/s");
      expect(client.status().lastError).toBeNull();
    } finally {
      await client.close();
      await gateway.close(100);
    }

    // A restart with the control plane unreachable serves the kept version.
    const again = new ControlClient({
      controlUrl: "http://127.0.0.1:9",
      token: gwToken,
      id: "edge-1",
      stateFile,
      logger,
    });
    const boot = await again.bootstrap(1000);
    expect(boot.source).toBe("cache");
    expect(boot.config.routes[0]?.rateLimits[0]?.rate).toBe("600/s");
    expect(again.status().connected).toBe(false);
    await again.close();
  }, 30_000);

  it("local addresses override the assigned config's", async () => {
    const { gateway, client } = await startControlledGateway({
      controlUrl: cp.url,
      token: gwToken,
      id: "edge-2",
      stateFile: join(dir, "edge-2.json"),
      logger,
      guard: quietWaf(),
      listen: "127.0.0.1:0",
      admin: "[::1]:0",
    });
    try {
      expect(gateway.addresses().admin.address).toBe("::1");
    } finally {
      await client.close();
      await gateway.close(100);
    }
    await expect(
      startControlledGateway({
        controlUrl: cp.url,
        token: gwToken,
        id: "edge-3",
        stateFile: join(dir, "edge-3.json"),
        logger,
        listen: "no-port",
      }),
    ).rejects.toMatchObject({ code: "CONTROL_INVALID" });
  });
});
