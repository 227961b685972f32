/**
 * The proxy end to end: routing, methods, bodies streamed both ways, keep-alive, forwarding and
 * hop-by-hop headers, request ids, 502/504, passive ejection and panic mode.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configText,
  deadPort,
  echo,
  rawRequest,
  type Started,
  startTestGateway,
  startUpstream,
  type TestUpstream,
} from "./harness.js";

let shop: TestUpstream;
let api: TestUpstream;
let g: Started;

beforeAll(async () => {
  shop = await startUpstream();
  api = await startUpstream((req, res) => {
    req.resume();
    req.on("end", () => res.end(JSON.stringify({ who: "api", url: req.url })));
  });
  g = await startTestGateway(
    configText(
      "  limits: { maxBodyBytes: 104857600 }",
      `upstreams:
  shop: { targets: [${shop.origin}] }
  api: { targets: [${api.origin}] }
routes:
  - { name: api, match: { host: api.test }, upstream: api }
  - { name: checkout, match: { pathPrefix: /checkout, methods: [POST] }, upstream: api, priority: critical }
  - { name: shop, match: { pathPrefix: /shop }, upstream: shop }
  - { name: static, match: { pathPrefix: /static/ }, upstream: shop }
`,
    ),
  );
});

afterAll(async () => {
  await g.gw.close(1000);
  await shop.close();
  await api.close();
});

async function get(path: string, init: Parameters<typeof request>[1] = {}) {
  const r = await request(`${g.base}${path}`, init);
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text };
}

describe("routing", () => {
  it.each([
    ["/anything", { host: "api.test" }, "GET", 200, "api"],
    ["/anything", { host: "API.TEST:8080" }, "GET", 200, "api"],
    ["/checkout/pay", {}, "POST", 200, "api"],
    ["/checkout/pay", {}, "GET", 404, ""],
    ["/shop/item/1?x=1", {}, "GET", 200, "shop"],
    ["/static/app.js", {}, "GET", 200, "shop"],
    ["/static", {}, "GET", 404, ""],
    ["/", {}, "GET", 404, ""],
  ] as const)("%s %j %s -> %i %s", async (path, headers, method, status, who) => {
    const r = await get(path, { method, headers });
    expect(r.status).toBe(status);
    if (who === "api") expect(JSON.parse(r.text).who).toBe("api");
    if (who === "shop") expect(JSON.parse(r.text).url).toBe(path);
    if (status === 404) {
      const body = JSON.parse(r.text);
      expect(body.error).toBe("not_found");
      expect(r.headers["x-request-id"]).toBe(body.request_id);
    }
  });
});

describe("methods and bodies", () => {
  it.each(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const)(
    "%s is proxied with its body",
    async (method) => {
      const body = method === "GET" || method === "OPTIONS" ? undefined : "x".repeat(1234);
      const r = await get("/shop/m", { method, body });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ method, bytes: body === undefined ? 0 : 1234 });
    },
  );

  it("HEAD gets headers and no body", async () => {
    const r = await get("/shop/h", { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    expect(Number(r.headers["content-length"])).toBeGreaterThan(0);
  });

  it("an empty body and a binary body with every byte value arrive intact", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 * 40 }, (_, i) => i % 256));
    let received: Buffer | undefined;
    shop.handler = (req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        received = Buffer.concat(parts);
        res.end(received);
      });
    };
    try {
      const r = await request(`${g.base}/shop/bin`, { method: "POST", body: bytes });
      const back = Buffer.from(await r.body.arrayBuffer());
      expect(received!.equals(bytes)).toBe(true);
      expect(back.equals(bytes)).toBe(true);
      const empty = await request(`${g.base}/shop/bin`, { method: "POST", body: "" });
      expect((await empty.body.arrayBuffer()).byteLength).toBe(0);
    } finally {
      shop.handler = echo;
    }
  });

  it("streams a 50 MB request body: the upstream sees bytes long before the client has sent them all", async () => {
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 97);
    let firstByteAt = 0;
    let upstreamBytes = 0;
    shop.handler = (req, res) => {
      req.on("data", (c: Buffer) => {
        if (firstByteAt === 0) firstByteAt = performance.now();
        upstreamBytes += c.length;
      });
      req.on("end", () => res.end(String(upstreamBytes)));
    };
    let sent = 0;
    let sentWhenUpstreamSawFirst = -1;
    async function* body() {
      while (sent < total) {
        sent += chunk.length;
        if (firstByteAt !== 0 && sentWhenUpstreamSawFirst < 0) sentWhenUpstreamSawFirst = sent;
        yield chunk;
        // Let the gateway run: a producer that never yields would be buffered by the event loop.
        await new Promise((r) => setImmediate(r));
      }
    }
    try {
      const r = await request(`${g.base}/shop/upload`, { method: "PUT", body: Readable.from(body()) });
      expect(await r.body.text()).toBe(String(total));
      expect(sentWhenUpstreamSawFirst).toBeGreaterThan(0);
      expect(sentWhenUpstreamSawFirst).toBeLessThan(total / 4);
    } finally {
      shop.handler = echo;
    }
  });

  it("streams a 50 MB response: the client reads bytes while the upstream is still writing", async () => {
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 98);
    let written = 0;
    shop.handler = (_req, res) => {
      res.writeHead(200, { "content-length": String(total) });
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    };
    try {
      const r = await request(`${g.base}/shop/download`);
      let received = 0;
      let writtenAtFirstRead = -1;
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      for await (const c of r.body) {
        if (writtenAtFirstRead < 0) writtenAtFirstRead = written;
        received += (c as Buffer).length;
        if (received % (8 * 1024 * 1024) < 65536) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
      expect(received).toBe(total);
      expect(writtenAtFirstRead).toBeLessThan(total / 4);
      // Backpressure holds: nowhere near the 50 MB body is resident at once.
      expect(rssPeak - rssBefore).toBeLessThan(40 * 1024 * 1024);
    } finally {
      shop.handler = echo;
    }
  });
});

describe("keep-alive", () => {
  it("serves several requests on one client connection", async () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${g.base}/shop/ka${i}`, { agent }, (res: IncomingMessage) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers.connection).toBe("keep-alive");
          res.resume();
          res.on("end", resolve);
        });
        req.on("socket", () => undefined);
        req.on("error", reject);
        req.end();
        reused.push(req.reusedSocket);
      });
    }
    agent.destroy();
    expect(reused).toEqual([false, true, true]);
  });
});

describe("headers", () => {
  it("drops hop-by-hop request headers and those named by Connection", async () => {
    // Raw socket: HTTP clients refuse to send most of these fields, attackers do not.
    const r = await rawRequest(
      g.port,
      "GET /shop/hop HTTP/1.1\r\nHost: shop.test\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\n" +
        "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: foo/1\r\n" +
        "Trailer: x-t\r\nX-Kept: yes\r\n\r\n",
    );
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body).headers as Record<string, string>;
    for (const h of ["x-secret", "keep-alive", "proxy-connection", "te", "upgrade", "trailer"])
      expect(seen[h], h).toBeUndefined();
    expect(seen["x-kept"]).toBe("yes");
  });

  it("drops hop-by-hop response headers", async () => {
    shop.handler = (_req, res) => {
      res.setHeader("connection", "x-up-secret");
      res.setHeader("x-up-secret", "1");
      res.setHeader("proxy-connection", "keep-alive");
      res.setHeader("x-up-kept", "yes");
      res.end("ok");
    };
    try {
      const r = await get("/shop/hop-res");
      expect(r.headers["x-up-secret"]).toBeUndefined();
      expect(r.headers["proxy-connection"]).toBeUndefined();
      expect(r.headers["x-up-kept"]).toBe("yes");
    } finally {
      shop.handler = echo;
    }
  });

  it("appends X-Forwarded-For and Forwarded, sets X-Forwarded-Proto/Host, keeps Host", async () => {
    const r = await get("/shop/fwd", {
      headers: {
        host: "shop.example:8080",
        "x-forwarded-for": "203.0.113.9",
        forwarded: "for=203.0.113.9",
        "x-forwarded-proto": "https",
      },
    });
    const h = JSON.parse(r.text).headers as Record<string, string>;
    expect(h.host).toBe("shop.example:8080");
    expect(h["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    // 127.0.0.1 is a trusted proxy by default: its X-Forwarded-Proto is kept.
    expect(h["x-forwarded-proto"]).toBe("https");
    expect(h["x-forwarded-host"]).toBe("shop.example:8080");
    expect(h.forwarded).toBe('for=203.0.113.9, for=127.0.0.1;proto=http;host="shop.example:8080"');
  });
});

describe("request id", () => {
  it("keeps a valid client id on the upstream request and the response", async () => {
    const r = await get("/shop/id", { headers: { "x-request-id": "abc-123_XYZ.9" } });
    expect(r.headers["x-request-id"]).toBe("abc-123_XYZ.9");
    expect(JSON.parse(r.text).headers["x-request-id"]).toBe("abc-123_XYZ.9");
  });

  it.each([
    ["too long", "a".repeat(129)],
    ["a space", "a b"],
    ["a quote", 'a"b'],
    ["empty", ""],
    ["non-ASCII", "é"],
  ])("replaces an id with %s by a generated one", async (_name, bad) => {
    const r = await request(`${g.base}/shop/id`, {
      headers: { "x-request-id": Buffer.from(bad, "utf8").toString("latin1") },
    });
    const seen = JSON.parse(await r.body.text()).headers["x-request-id"];
    expect(r.headers["x-request-id"]).not.toBe(bad);
    expect(r.headers["x-request-id"]).toMatch(/^[0-9a-f]{10}-[0-9a-z]+$/);
    expect(seen).toBe(r.headers["x-request-id"]);
  });

  it("generates distinct ids", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add(String((await get("/shop/id")).headers["x-request-id"]));
    expect(ids.size).toBe(20);
  });
});

describe("upstream failures", () => {
  it("answers 502 with a JSON body when the upstream refuses connections", async () => {
    const port = await deadPort();
    const s = await startTestGateway(
      configText(
        "",
        `upstreams: { dead: { targets: [http://127.0.0.1:${port}] } }\nroutes: [{ name: all, upstream: dead }]\n`,
      ),
    );
    try {
      const r = await request(`${s.base}/x`);
      const body = JSON.parse(await r.body.text());
      expect(r.statusCode).toBe(502);
      expect(body).toEqual({ error: "bad_gateway", request_id: r.headers["x-request-id"] });
      expect(s.log.at(-1)!.decision).toMatch(/^upstream_error:/);
    } finally {
      await s.gw.close(500);
    }
  });

  it("answers 504 when the upstream does not send its head in time", async () => {
    const slow = await startUpstream(() => {
      /* never answers */
    });
    const s = await startTestGateway(
      configText(
        "",
        `upstreams: { slow: { targets: [${slow.origin}], headersTimeoutMs: 200 } }\nroutes: [{ name: all, upstream: slow }]\n`,
      ),
    );
    try {
      const t0 = performance.now();
      const r = await request(`${s.base}/x`);
      const body = JSON.parse(await r.body.text());
      expect(r.statusCode).toBe(504);
      expect(body.error).toBe("gateway_timeout");
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      await s.gw.close(500);
      await slow.close();
    }
  });

  it("ejects a failing target after N consecutive failures and sends traffic to the healthy one", async () => {
    const port = await deadPort();
    const good = await startUpstream();
    const s = await startTestGateway(
      configText(
        "",
        `upstreams:
  two:
    targets: [http://127.0.0.1:${port}, ${good.origin}]
    passiveHealth: { failures: 2, ejectMs: 60000 }
routes: [{ name: all, upstream: two }]
`,
      ),
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await request(`${s.base}/x${i}`);
        await r.body.text();
        statuses.push(r.statusCode);
      }
      expect(statuses.filter((x) => x === 502)).toHaveLength(2);
      expect(statuses.slice(4).every((x) => x === 200)).toBe(true);
      const metrics = await (await fetch(`${s.admin}/metrics`)).text();
      expect(metrics).toContain(
        `rampart_upstream_target_ejections_total{target="http://127.0.0.1:${port}"} 1`,
      );
    } finally {
      await s.gw.close(500);
      await good.close();
    }
  });

  it("ejects a target that keeps answering 5xx (consecutive_5xx), passing its 5xx through meanwhile", async () => {
    const bad = await startUpstream((req, res) => {
      req.resume();
      res.writeHead(500).end("boom");
    });
    const good = await startUpstream();
    const s = await startTestGateway(
      configText(
        "",
        `upstreams:
  two:
    targets: [${bad.origin}, ${good.origin}]
    passiveHealth: { failures: 3, ejectMs: 60000 }
routes: [{ name: all, upstream: two }]
`,
      ),
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) {
        const r = await request(`${s.base}/x${i}`);
        await r.body.text();
        statuses.push(r.statusCode);
      }
      expect(statuses.filter((x) => x === 500)).toHaveLength(3);
      expect(statuses.slice(6).every((x) => x === 200)).toBe(true);
    } finally {
      await s.gw.close(500);
      await bad.close();
      await good.close();
    }
  });

  it("keeps trying when every target is ejected (panic mode), never refusing outright", async () => {
    const port = await deadPort();
    const s = await startTestGateway(
      configText(
        "",
        `upstreams:
  dead: { targets: [http://127.0.0.1:${port}], passiveHealth: { failures: 1, ejectMs: 60000 } }
routes: [{ name: all, upstream: dead }]
`,
      ),
    );
    const probe = await startUpstream();
    try {
      for (let i = 0; i < 3; i++) {
        const r = await request(`${s.base}/x`);
        await r.body.text();
        expect(r.statusCode).toBe(502);
      }
      expect(s.log.filter((l) => l.target === `http://127.0.0.1:${port}`)).toHaveLength(3);
    } finally {
      await s.gw.close(500);
      await probe.close();
    }
  });

  it("aborts the upstream request when the client goes away", async () => {
    let upstreamClosed = false;
    let started!: () => void;
    const startedP = new Promise<void>((r) => {
      started = r;
    });
    shop.handler = (req, _res) => {
      started();
      req.socket.on("close", () => {
        upstreamClosed = true;
      });
    };
    try {
      const ac = new AbortController();
      const p = request(`${g.base}/shop/hang`, { signal: ac.signal }).catch(() => undefined);
      await startedP;
      ac.abort();
      await p;
      const t0 = Date.now();
      while (!upstreamClosed && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
      expect(upstreamClosed).toBe(true);
      expect(g.gw.inFlight()).toBe(0);
      expect(g.log.at(-1)).toMatchObject({ path: "/shop/hang", status: 499 });
    } finally {
      shop.handler = echo;
    }
  });
});

describe("access log", () => {
  it("writes one record per request with the documented fields", async () => {
    const r = await get("/shop/log?q=1", { headers: { "x-request-id": "log-1" } });
    expect(r.status).toBe(200);
    const rec = g.log.find((l) => l.id === "log-1")!;
    expect(rec).toMatchObject({
      ip: "127.0.0.1",
      method: "GET",
      path: "/shop/log?q=1",
      route: "shop",
      target: shop.origin,
      status: 200,
      decision: "allowed",
    });
    expect(rec.bytesOut).toBeGreaterThan(0);
    expect(rec.bytesIn).toBeGreaterThan(0);
    expect(rec.ms).toBeGreaterThanOrEqual(rec.upstreamMs);
    expect(rec.upstreamMs).toBeGreaterThanOrEqual(0);
  });
});
