/** The drill's load generator against a real HTTP server on loopback. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadGenerator } from "../../src/drill/load.js";

const seen: { method: string; path: string; xff: string }[] = [];
const server = createServer((req, res) => {
  seen.push({ method: req.method ?? "", path: req.url ?? "", xff: String(req.headers["x-forwarded-for"]) });
  req.resume();
  // Checkout fails, a search is rate limited; the rest succeeds.
  const status = req.url === "/checkout" ? 503 : req.url?.startsWith("/search") ? 429 : 200;
  req.on("end", () => res.writeHead(status, { "content-type": "text/plain" }).end("x"));
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("LoadGenerator", () => {
  it("issues the target rate open loop and tallies failures, clients and checkouts", async () => {
    seen.length = 0;
    const gen = new LoadGenerator({ url, rps: 200, clients: 20 });
    gen.start();
    await new Promise((r) => setTimeout(r, 1000));
    gen.setRate(0);
    const r = await gen.stop();
    // 200/s for ~1 s, on a timer: within 15 % of 200.
    expect(r.sent).toBeGreaterThanOrEqual(170);
    expect(r.sent).toBeLessThanOrEqual(230);
    expect(r.sent).toBe(seen.length);
    expect(r.ok + r.failed).toBe(r.sent);
    expect(r.held).toBe(0);
    const checkouts = seen.filter((s) => s.path === "/checkout");
    const searches = seen.filter((s) => s.path.startsWith("/search"));
    expect(checkouts.every((s) => s.method === "POST")).toBe(true);
    expect(r.checkouts).toEqual({ sent: checkouts.length, failed: checkouts.length });
    expect(r.failed).toBe(checkouts.length + searches.length);
    expect(r.byStatus["503"]).toBe(checkouts.length);
    expect(r.byStatus["429"]).toBe(searches.length);
    const addresses = new Set(seen.map((s) => s.xff));
    expect(r.clients.total).toBe(addresses.size);
    expect(addresses.size).toBeLessThanOrEqual(20);
    for (const a of addresses) expect(a).toMatch(/^10\.0\.0\.\d+$/);
    expect(r.perSecond.reduce((n, s) => n + s.sent, 0)).toBe(r.sent);
    expect(r.perSecond.reduce((n, s) => n + s.failed, 0)).toBe(r.failed);
    // The whole run as one window is the report; an empty window is zeros.
    expect(gen.window(0, Number.MAX_SAFE_INTEGER)).toEqual({
      sent: r.sent,
      failed: r.failed,
      clients: r.clients,
      checkouts: r.checkouts,
    });
    expect(gen.window(0, 1)).toEqual({
      sent: 0,
      failed: 0,
      clients: { total: 0, failed: 0 },
      checkouts: { sent: 0, failed: 0 },
    });
  });

  it("tallies a window by send time", async () => {
    const gen = new LoadGenerator({ url, rps: 100, clients: 5 });
    gen.start();
    await new Promise((r) => setTimeout(r, 500));
    const mid = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    gen.setRate(0);
    const r = await gen.stop();
    const before = gen.window(0, mid);
    const after = gen.window(mid, Number.MAX_SAFE_INTEGER);
    expect(before.sent + after.sent).toBe(r.sent);
    expect(before.failed + after.failed).toBe(r.failed);
    expect(before.checkouts.sent + after.checkouts.sent).toBe(r.checkouts.sent);
    expect(before.sent).toBeGreaterThan(30);
    expect(after.sent).toBeGreaterThan(30);
  });

  it("counts requests above the in-flight cap as held, not sent", async () => {
    const slow = createServer(() => undefined); // never answers
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const gen = new LoadGenerator({
      url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      rps: 300,
      maxInFlight: 10,
      timeoutMs: 500,
    });
    gen.start();
    await new Promise((r) => setTimeout(r, 300));
    gen.setRate(0);
    const r = await gen.stop();
    slow.closeAllConnections();
    await new Promise<void>((done) => slow.close(() => done()));
    expect(r.sent).toBe(10);
    expect(r.held).toBeGreaterThan(50);
    expect(r.failed).toBe(10); // timed out
    expect(r.byStatus["0"]).toBe(10);
  });
});
