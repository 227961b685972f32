/**
 * The WAF in the gateway, end to end over loopback: the built-in baseline and CRS, blocking and
 * detection-only, request bodies inspected before the upstream sees them, response inspection,
 * the ModSecurity-format error log and the JSON audit log, and attestation of what is live.
 */
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { compileWaf, type WafLogSink, wafGuardFactory } from "../../src/gateway/waf.js";
import { crsDir, hasCrs } from "../support/shared.js";
import { configText, type Started, startTestGateway, startUpstream, type TestUpstream } from "./harness.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

interface Setup {
  g: Started;
  up: TestUpstream;
  errors: string[];
  audits: Record<string, unknown>[];
  text: (waf: string) => string;
}

async function setup(waf: string, handler?: Parameters<typeof startUpstream>[0]): Promise<Setup> {
  const up = await startUpstream(handler);
  const errors: string[] = [];
  const audits: Record<string, unknown>[] = [];
  const sink: WafLogSink = {
    errorLine: (l) => errors.push(l),
    auditRecord: (j) => audits.push(JSON.parse(j) as Record<string, unknown>),
  };
  const text = (w: string) =>
    configText(
      "",
      `upstreams: { shop: { targets: [${up.origin}] } }\nroutes: [{ name: all, upstream: shop }]\nwaf: ${w}\n`,
    );
  const g = await startTestGateway(text(waf), { guard: wafGuardFactory({ sink }) });
  stops.push(async () => {
    await g.gw.close(500);
    await up.close();
  });
  return { g, up, errors, audits, text };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe("WAF in the gateway: built-in baseline (no CRS needed)", () => {
  it("blocks an SQL injection in the query with 403, no rule details to the client, and logs it", async () => {
    const { g, up, errors, audits } = await setup("{ mode: blocking }");
    const before = up.seen.length;
    const r = await request(`${g.base}/search?q=1'%20OR%20'1'='1`, { headers: { "x-request-id": "sqli-1" } });
    const body = JSON.parse(await r.body.text());
    expect(r.statusCode).toBe(403);
    expect(body).toEqual({ error: "blocked", request_id: "sqli-1" });
    expect(up.seen.length).toBe(before);
    await settle();
    expect(errors.some((l) => l.includes('[id "9100600"]') && l.includes('[unique_id "sqli-1"]'))).toBe(true);
    expect(errors[0]).toMatch(/^ModSecurity: Access denied with code 403 \(phase 2\)\. /);
    expect(audits[0]).toMatchObject({
      transaction: { id: "sqli-1" },
      action: { status: 403, ruleId: 9100600 },
    });
    expect(g.log.at(-1)?.decision).toBe("blocked:waf:9100600");
  });

  it("counts the block per second, charged to the WAF module of the rule (sqli)", async () => {
    const { g } = await setup("{ mode: blocking }");
    const t = Math.floor(Date.now() / 1000);
    const r = await request(`${g.base}/search?q=1'%20OR%20'1'='1`);
    await r.body.text();
    await settle();
    const reports = g.gw.secondReports(t, t + 5);
    expect(reports.map((s) => [s.requests, s.blocked, s.s4xx, s.waf])).toEqual([[1, 1, 1, { sqli: 1 }]]);
    expect(reports[0]!.failedClients).toBe(reports[0]!.clients); // the one client was refused
  });

  it("inspects a urlencoded POST body before the upstream sees a byte", async () => {
    const { g, up } = await setup("{ mode: blocking }");
    const attack = await request(`${g.base}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=admin'--&password=x' or 1=1 --",
    });
    await attack.body.text();
    expect(attack.statusCode).toBe(403);
    expect(up.seen.filter((s) => s.url === "/login")).toHaveLength(0);

    const ok = await request(`${g.base}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=alice&password=correct horse battery staple",
    });
    const echoed = JSON.parse(await ok.body.text());
    expect(ok.statusCode).toBe(200);
    expect(echoed.bytes).toBe(Buffer.byteLength("user=alice&password=correct horse battery staple"));
  });

  it("lets benign traffic through untouched", async () => {
    const { g, errors } = await setup("{ mode: blocking }");
    for (const path of ["/", "/product/3", "/search?q=O'Reilly's%20cookbook", "/cart?id=2&qty=1"]) {
      const r = await request(`${g.base}${path}`, { headers: { "user-agent": "Mozilla/5.0" } });
      await r.body.text();
      expect(r.statusCode, path).toBe(200);
    }
    await settle();
    expect(errors).toEqual([]);
  });

  it("detection-only logs what it would block and lets it through", async () => {
    const { g, errors } = await setup('{ mode: "detection-only" }');
    const r = await request(`${g.base}/?q=<script>alert(1)</script>`);
    await r.body.text();
    expect(r.statusCode).toBe(200);
    await settle();
    expect(errors.some((l) => l.startsWith("ModSecurity: Warning.") && l.includes('[id "9100500"]'))).toBe(
      true,
    );
  });

  it("a module switched off is really off, and attestation says so", async () => {
    const { g } = await setup("{ mode: blocking, modules: { sqli: off } }");
    const r = await request(`${g.base}/search?q=1'%20OR%20'1'='1`);
    await r.body.text();
    expect(r.statusCode).toBe(200);
    const status = (await (await request(`${g.admin}/waf/status`)).body.json()) as {
      mode: string;
      ruleSet: string;
      ruleSetHash: string;
      modules: { name: string; state: string; rules: number }[];
    };
    expect(status.mode).toBe("blocking");
    expect(status.ruleSet).toBe("rampart-baseline/1");
    expect(status.ruleSetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(status.modules.find((m) => m.name === "sqli")).toEqual({ name: "sqli", state: "off", rules: 0 });
    expect(status.modules.find((m) => m.name === "xss")).toEqual({ name: "xss", state: "on", rules: 1 });
  });

  it("waf.mode off: no inspection, attested as off", async () => {
    const { g } = await setup('{ mode: "off" }');
    const r = await request(`${g.base}/search?q=1'%20OR%20'1'='1`);
    await r.body.text();
    expect(r.statusCode).toBe(200);
    const status = (await (await request(`${g.admin}/waf/status`)).body.json()) as { mode: string };
    expect(status.mode).toBe("off");
  });
});

describe.skipIf(!hasCrs)("WAF in the gateway: OWASP CRS v4.28.0", () => {
  it("blocks by anomaly score at paranoia 1 and attests modules with rule counts", async () => {
    const { g, errors } = await setup(`{ mode: blocking, paranoia: 1, crs: "${crsDir}" }`);
    const r = await request(`${g.base}/?id=1%20UNION%20SELECT%20password%20FROM%20users--`);
    await r.body.text();
    expect(r.statusCode).toBe(403);
    await settle();
    expect(errors.some((l) => l.includes('[id "949110"]'))).toBe(true);
    const status = (await (await request(`${g.admin}/waf/status`)).body.json()) as {
      ruleSet: string;
      modules: { name: string; state: string; rules: number }[];
    };
    expect(status.ruleSet).toBe("OWASP_CRS/4.28.0");
    const sqli = status.modules.find((m) => m.name === "sqli");
    expect(sqli?.state).toBe("on");
    expect(sqli?.rules).toBeGreaterThan(50);
  });

  it("charges a block by anomaly score (949110) to the module of the rules that scored: sqli", async () => {
    const { g } = await setup(`{ mode: blocking, paranoia: 1, crs: "${crsDir}" }`);
    const t = Math.floor(Date.now() / 1000);
    const r = await request(`${g.base}/?id=1%20UNION%20SELECT%20password%20FROM%20users--`);
    await r.body.text();
    expect(r.statusCode).toBe(403);
    await settle();
    const reports = g.gw.secondReports(t, t + 5);
    expect(reports.reduce((n, s) => n + (s.waf?.sqli ?? 0), 0)).toBe(1);
    expect(reports.reduce((n, s) => n + (s.routes?.all?.waf?.sqli ?? 0), 0)).toBe(1);
    expect(g.log.at(-1)?.decision).toBe("blocked:waf:949110");
  });

  it("inspects responses: a leaked SQL error is blocked in phase 4", async () => {
    const leak =
      "<html><body>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version</body></html>";
    const { g } = await setup(`{ mode: blocking, paranoia: 1, crs: "${crsDir}" }`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html", "content-length": Buffer.byteLength(leak) });
      res.end(leak);
    });
    const r = await request(`${g.base}/product/1`);
    const text = await r.body.text();
    expect(r.statusCode).toBe(403);
    expect(text).not.toContain("SQL syntax");
  });

  it("a reload that switches a module off takes effect, and a broken rule set is refused", async () => {
    const s = await setup(`{ mode: blocking, paranoia: 1, crs: "${crsDir}" }`);
    s.g.gw.reload(
      parseConfig(s.text(`{ mode: blocking, paranoia: 1, crs: "${crsDir}", modules: { sqli: off } }`)),
    );
    const r = await request(`${s.g.base}/?id=1%20UNION%20SELECT%20password%20FROM%20users--`);
    await r.body.text();
    expect(r.statusCode).toBe(200);
    expect(() => s.g.gw.reload(parseConfig(s.text('{ mode: blocking, crs: "/nonexistent/crs" }')))).toThrow();
    const still = (await (await request(`${s.g.admin}/waf/status`)).body.json()) as {
      modules: { name: string; state: string }[];
    };
    expect(still.modules.find((m) => m.name === "sqli")?.state).toBe("off");
  });
});

describe("waf.timeBudget", () => {
  it("reaches the engine from the config (default 100 ms + 2 ms per KB)", () => {
    const base = parseConfig(
      "upstreams: { a: { targets: [http://127.0.0.1:1] } }\nroutes: [{ name: r, upstream: a }]\n",
    );
    expect(compileWaf(base.waf).ruleSet.timeBudget).toEqual({ baseMs: 100, perKbMs: 2 });
    const tight = { ...base.waf, timeBudget: { baseMs: 20, perKbMs: 0.5 } };
    expect(compileWaf(tight).ruleSet.timeBudget).toEqual({ baseMs: 20, perKbMs: 0.5 });
  });
});
