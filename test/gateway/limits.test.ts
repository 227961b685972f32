/**
 * Rate limits (each key kind, 429 and its headers) and the concurrency limiter (queue, shedding by
 * priority, queue timeout) through a real gateway.
 */
import type { ServerResponse } from "node:http";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configText, type Started, startTestGateway, startUpstream, type TestUpstream } from "./harness.js";

describe("rate limits", () => {
  let up: TestUpstream;
  let g: Started;
  beforeAll(async () => {
    up = await startUpstream();
    const rl = (key: string) => `[{ name: one, rate: 1/min, burst: 0, key: [${key}] }]`;
    g = await startTestGateway(
      configText(
        "  trustedProxies: [127.0.0.1/32]",
        `upstreams: { shop: { targets: [${up.origin}] } }
routes:
  - { name: by-ip, match: { pathPrefix: /ip }, upstream: shop, rateLimits: ${rl("ip")} }
  - { name: by-header, match: { pathPrefix: /header }, upstream: shop, rateLimits: ${rl("header:X-Api-Key")} }
  - { name: by-cookie, match: { pathPrefix: /cookie }, upstream: shop, rateLimits: ${rl("cookie:session")} }
  - { name: by-route, match: { pathPrefix: /route }, upstream: shop, rateLimits: ${rl("route")} }
  - name: two
    match: { pathPrefix: /two }
    upstream: shop
    rateLimits:
      - { name: fast, rate: 100/s, burst: 10, key: [ip] }
      - { name: slow, rate: 2/min, burst: 1, key: [ip] }
`,
      ),
    );
  });
  afterAll(async () => {
    await g.gw.close(1000);
    await up.close();
  });

  async function status(path: string, headers: Record<string, string>): Promise<number> {
    const r = await request(`${g.base}${path}`, { headers });
    await r.body.text();
    return r.statusCode;
  }

  // Each row: two identities that must share a bucket, and one that must not.
  it.each([
    [
      "/ip",
      { "x-forwarded-for": "198.51.100.1" },
      { "x-forwarded-for": "198.51.100.1" },
      { "x-forwarded-for": "198.51.100.2" },
    ],
    [
      "/header",
      { "x-api-key": "k1", "x-forwarded-for": "198.51.100.3" },
      { "x-api-key": "k1", "x-forwarded-for": "198.51.100.4" },
      { "x-api-key": "k2" },
    ],
    ["/cookie", { cookie: "a=1; session=s1" }, { cookie: "session=s1; b=2" }, { cookie: "session=s2" }],
  ] as [string, Record<string, string>, Record<string, string>, Record<string, string>][])(
    "%s: same key shares a bucket, another key does not",
    async (path, first, same, other) => {
      expect(await status(path, first)).toBe(200);
      expect(await status(path, same)).toBe(429);
      expect(await status(path, other)).toBe(200);
    },
  );

  it("route: every client of the route shares one bucket", async () => {
    expect(await status("/route", { "x-forwarded-for": "198.51.100.10" })).toBe(200);
    expect(await status("/route", { "x-forwarded-for": "198.51.100.11" })).toBe(429);
  });

  it("429 carries RateLimit-Policy, RateLimit, Retry-After and a JSON body with the request id", async () => {
    const h = { "x-forwarded-for": "198.51.100.20" };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await request(`${g.base}/two`, { headers: h });
      statuses.push(last.statusCode);
      if (i < 2) await last.body.text();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const body = JSON.parse(await last!.body.text());
    expect(body).toEqual({ error: "too_many_requests", request_id: last!.headers["x-request-id"] });
    expect(last!.headers["ratelimit-policy"]).toBe('"fast";q=100;w=1, "slow";q=2;w=60');
    expect(last!.headers.ratelimit).toMatch(/^"slow";r=0;t=\d+$/);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(g.log.at(-1)!.decision).toBe("rate_limited:slow");
    const metrics = await (await fetch(`${g.admin}/metrics`)).text();
    expect(metrics).toMatch(/rampart_rate_limited_total\{route="two",upstream="shop"\} 1/);
  });
});

describe("concurrency limit, queue and shedding by priority", () => {
  let up: TestUpstream;
  let g: Started;
  const held: ServerResponse[] = [];
  function releaseAll(): void {
    for (const res of held.splice(0)) res.end("done");
  }
  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      req.resume();
      held.push(res);
    });
    g = await startTestGateway(
      configText(
        "",
        `upstreams:
  shop:
    targets: [${up.origin}]
    concurrency: { limit: 1 }
    queue: { size: 2, timeoutMs: 300 }
routes:
  - { name: checkout, match: { pathPrefix: /checkout }, upstream: shop, priority: critical }
  - { name: bots, match: { pathPrefix: /bots }, upstream: shop, priority: low }
`,
      ),
    );
  });
  afterAll(async () => {
    releaseAll();
    await g.gw.close(1000);
    await up.close();
  });

  async function timed(
    path: string,
  ): Promise<{ status: number; ms: number; retryAfter: string | undefined; text: string }> {
    const t0 = performance.now();
    const r = await request(`${g.base}${path}`);
    const text = await r.body.text();
    return {
      status: r.statusCode,
      ms: performance.now() - t0,
      retryAfter: r.headers["retry-after"] as string | undefined,
      text,
    };
  }

  async function until(cond: () => boolean): Promise<void> {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > 2000) throw new Error("condition not reached");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it("queues the important, sheds the rest at once, evicts the least important from a full queue", async () => {
    const holder = timed("/bots/1"); // takes the only permit
    await until(() => held.length === 1);
    const botQueued = timed("/bots/2"); // low may fill a quarter of the queue: 1 place
    await new Promise((r) => setTimeout(r, 20));
    const botShed = await timed("/bots/3"); // over its share: refused at once
    expect(botShed.status).toBe(503);
    expect(botShed.ms).toBeLessThan(100);
    expect(botShed.retryAfter).toBe("1");
    expect(JSON.parse(botShed.text).error).toBe("service_unavailable");

    const c1 = timed("/checkout/1");
    const c2 = timed("/checkout/2"); // queue full: evicts the queued bot
    const evicted = await botQueued;
    expect(evicted.status).toBe(503);
    releaseAll();
    await until(() => held.length === 1);
    releaseAll();
    await until(() => held.length === 1);
    releaseAll();
    expect((await holder).status).toBe(200);
    expect((await c1).status).toBe(200);
    expect((await c2).status).toBe(200);
    const decisions = g.log.map((l) => l.decision);
    expect(decisions).toContain("shed:priority");
    const metrics = await (await fetch(`${g.admin}/metrics`)).text();
    expect(metrics).toMatch(/rampart_shed_total\{route="bots",upstream="shop",reason="priority"\} 2/);
  });

  it("sheds a queued request after the queue timeout with 503", async () => {
    const holder = timed("/checkout/hold");
    await until(() => held.length === 1);
    const waiting = await timed("/checkout/wait");
    expect(waiting.status).toBe(503);
    expect(waiting.ms).toBeGreaterThanOrEqual(250);
    expect(g.log.at(-1)!.decision).toBe("shed:queue_timeout");
    releaseAll();
    expect((await holder).status).toBe(200);
  });
});

describe("adaptive concurrency limit", () => {
  it("never lets more than `max` requests reach the upstream at once and queues the rest", async () => {
    let inFlight = 0;
    let max = 0;
    const up = await startUpstream((req, res) => {
      req.resume();
      inFlight++;
      max = Math.max(max, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end("ok");
      }, 10);
    });
    const g = await startTestGateway(
      configText(
        "",
        `upstreams:
  shop:
    targets: [${up.origin}]
    concurrency: { adaptive: { min: 2, max: 6 } }
    queue: { size: 100, timeoutMs: 5000 }
routes: [{ name: all, upstream: shop }]
`,
      ),
    );
    try {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const r = await request(`${g.base}/a${i}`);
          await r.body.text();
          return r.statusCode;
        }),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(max).toBeGreaterThanOrEqual(2);
      expect(max).toBeLessThanOrEqual(6);
    } finally {
      await g.gw.close(1000);
      await up.close();
    }
  });
});
