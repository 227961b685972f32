/**
 * What a client really receives on the wire for every request the gateway must refuse at the door,
 * over raw TCP sockets: status, JSON body with the request id, the id header, connection closed.
 * Some of these are refused by node's parser (clientError), others by head.ts: both must look alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configText,
  rawRequest,
  type Started,
  startTestGateway,
  startUpstream,
  type TestUpstream,
} from "./harness.js";

let up: TestUpstream;
let g: Started;

beforeAll(async () => {
  up = await startUpstream();
  g = await startTestGateway(
    configText(
      "  limits: { maxHeaderBytes: 2048, maxUriBytes: 1024, maxBodyBytes: 1000, methods: [GET, HEAD, POST, PUT] }",
      `upstreams: { shop: { targets: [${up.origin}] } }
routes:
  - { name: all, upstream: shop }
`,
    ),
  );
});

afterAll(async () => {
  await g.gw.close(1000);
  await up.close();
});

const H = "Host: shop.test\r\n";
const CASES: { name: string; bytes: string; status: number; error: string }[] = [
  {
    name: "Content-Length and Transfer-Encoding together",
    bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "invalid Content-Length",
    bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 12abc\r\n\r\nhello`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "negative Content-Length",
    bytes: `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "duplicate differing Content-Length",
    bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "Transfer-Encoding not ending in chunked",
    bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "Transfer-Encoding: identity",
    bytes: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "obsolete line folding",
    bytes: `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n  b\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "header section above maxHeaderBytes",
    bytes: `GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(3000)}\r\n\r\n`,
    status: 431,
    error: "request_header_fields_too_large",
  },
  {
    name: "headers far above node's own cap",
    bytes: `GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(20000)}\r\n\r\n`,
    status: 431,
    error: "request_header_fields_too_large",
  },
  {
    name: "URI above maxUriBytes",
    bytes: `GET /${"u".repeat(1500)} HTTP/1.1\r\n${H}\r\n`,
    status: 414,
    error: "uri_too_long",
  },
  {
    name: "declared body above maxBodyBytes",
    bytes: `POST / HTTP/1.1\r\n${H}Content-Length: 5000\r\n\r\n`,
    status: 413,
    error: "payload_too_large",
  },
  {
    name: "known method outside the allow-list",
    bytes: `DELETE / HTTP/1.1\r\n${H}\r\n`,
    status: 405,
    error: "method_not_allowed",
  },
  {
    name: "unknown method",
    bytes: `FROB / HTTP/1.1\r\n${H}\r\n`,
    status: 501,
    error: "not_implemented",
  },
  {
    name: "HTTP/1.1 without Host",
    bytes: "GET / HTTP/1.1\r\n\r\n",
    status: 400,
    error: "bad_request",
  },
  {
    name: "two Host fields",
    bytes: `GET / HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "control character in a header value",
    bytes: `GET / HTTP/1.1\r\n${H}X-Bad: a\u0001b\r\n\r\n`,
    status: 400,
    error: "bad_request",
  },
  {
    name: "garbage instead of a request line",
    bytes: "\u0000\u0001\u0002 hello\r\n\r\n",
    status: 400,
    error: "bad_request",
  },
];

describe("hardening at the door (raw sockets)", () => {
  it.each(CASES)("$name -> $status", async ({ bytes, status, error }) => {
    const before = up.seen.length;
    const r = await rawRequest(g.port, bytes);
    expect(r.status, r.raw.slice(0, 300)).toBe(status);
    expect(r.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(r.body) as { error: string; request_id: string };
    expect(body.error).toBe(error);
    expect(body.request_id.length).toBeGreaterThan(0);
    expect(r.headers["x-request-id"]).toBe(body.request_id);
    expect(r.headers.connection).toBe("close");
    expect(r.closed).toBe(true);
    expect(up.seen.length).toBe(before); // nothing reached the upstream
  });

  it("answers 405 with an Allow header listing the allowed methods", async () => {
    const r = await rawRequest(g.port, `DELETE / HTTP/1.1\r\n${H}\r\n`);
    expect(r.headers.allow).toBe("GET, HEAD, POST, PUT");
  });

  it("stops a chunked body at maxBodyBytes with 413 mid-stream", async () => {
    const chunk = "a".repeat(400);
    const head = `POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`;
    const body = `${(400).toString(16)}\r\n${chunk}\r\n`.repeat(5); // 2000 bytes > 1000, no terminator
    const r = await rawRequest(g.port, head + body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: "payload_too_large" });
    expect(r.closed).toBe(true);
  });

  it("lets a chunked body under the limit through, re-framed for the upstream", async () => {
    const r = await rawRequest(
      g.port,
      `POST /ok HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ method: "POST", bytes: 5 });
  });

  it("keeps a valid request working on the same gateway afterwards", async () => {
    const r = await rawRequest(g.port, `GET /fine HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(r.status).toBe(200);
  });

  it("counts door rejections by reason in /metrics", async () => {
    const text = await (await fetch(`${g.admin}/metrics`)).text();
    expect(text).toMatch(/rampart_rejected_total\{reason="414_uri_too_long"\} [1-9]/);
    expect(text).toMatch(/rampart_rejected_total\{reason="parser_hpe_header_overflow"\} [1-9]/);
  });
});

describe("slow clients", () => {
  it("answers 408 to a client that does not finish its head within headersMs (slowloris)", async () => {
    const up2 = await startUpstream();
    const s = await startTestGateway(
      configText(
        "  timeouts: { headersMs: 400 }",
        `upstreams: { shop: { targets: [${up2.origin}] } }\nroutes: [{ name: all, upstream: shop }]\n`,
      ),
    );
    try {
      const t0 = performance.now();
      const r = await rawRequest(s.port, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a", 3000);
      const took = performance.now() - t0;
      expect(r.status).toBe(408);
      expect(JSON.parse(r.body).error).toBe("request_timeout");
      expect(r.closed).toBe(true);
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(1500);
    } finally {
      await s.gw.close(500);
      await up2.close();
    }
  });
});
