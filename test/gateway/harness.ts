/**
 * Test harness of the gateway end-to-end tests: a programmable upstream on a random loopback port,
 * a gateway started in-process in front of it, raw-socket and undici clients.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { pino } from "pino";
import { parseConfig } from "../../src/config/load.js";
import type { RampartConfig } from "../../src/config/schema.js";
import type { AccessLog, AccessRecord } from "../../src/gateway/accessLog.js";
import { type Gateway, type GatewayOptions, startGateway } from "../../src/gateway/gateway.js";

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestUpstream {
  readonly server: Server;
  readonly port: number;
  readonly origin: string;
  handler: UpstreamHandler;
  /** Requests seen, in order. */
  readonly seen: { method: string; url: string; headers: IncomingMessage["headers"]; rawHeaders: string[] }[];
  close(): Promise<void>;
}

/** An echo upstream by default: answers 200 with a JSON of what it received. */
export async function startUpstream(handler?: UpstreamHandler): Promise<TestUpstream> {
  const seen: TestUpstream["seen"] = [];
  const up: TestUpstream = {
    server: undefined as unknown as Server,
    port: 0,
    origin: "",
    seen,
    handler: handler ?? echo,
    close: async () => {
      up.server.closeAllConnections();
      await new Promise<void>((r) => up.server.close(() => r()));
    },
  };
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
    });
    up.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(up, { server, port, origin: `http://127.0.0.1:${port}` });
  return up;
}

export const echo: UpstreamHandler = (req, res) => {
  let bytes = 0;
  req.on("data", (c: Buffer) => {
    bytes += c.length;
  });
  req.on("end", () => {
    const body = JSON.stringify({ method: req.method, url: req.url, bytes, headers: req.headers });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
};

/** Config text with the gateway on random ports; `rest` holds upstreams/routes/... YAML. */
export function configText(gatewayExtra: string, rest: string): string {
  return `gateway:
  listen: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
  accessLog: "off"
${gatewayExtra}
${rest}`;
}

export interface Started {
  readonly gw: Gateway;
  readonly base: string;
  readonly port: number;
  readonly admin: string;
  readonly log: AccessRecord[];
}

export async function startTestGateway(
  config: RampartConfig | string,
  opts: Partial<GatewayOptions> = {},
): Promise<Started> {
  const cfg = typeof config === "string" ? parseConfig(config, "test.yaml") : config;
  const log: AccessRecord[] = [];
  const accessLog: AccessLog = { write: (r) => void log.push(r), close: async () => {} };
  const gw = await startGateway(cfg, { logger: pino({ level: "silent" }), accessLog, ...opts });
  const a = gw.addresses();
  return {
    gw,
    base: `http://127.0.0.1:${a.listen.port}`,
    port: a.listen.port,
    admin: `http://127.0.0.1:${a.admin.port}`,
    log,
  };
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything received until the server closed (or the timeout). */
  readonly raw: string;
  readonly closed: boolean;
}

/**
 * Writes `bytes` on a fresh TCP connection and reads until the server closes it or `waitMs` pass;
 * returns the first response parsed. What the client really sees on the wire.
 */
export function rawRequest(port: number, bytes: string | Buffer, waitMs = 1500): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString("latin1");
      const end = raw.indexOf("\r\n\r\n");
      const head = end < 0 ? raw : raw.slice(0, end);
      const lines = head.split("\r\n");
      const status = Number(lines[0]?.split(" ")[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = end < 0 ? "" : raw.slice(end + 4);
      const cl = headers["content-length"];
      if (cl !== undefined) body = body.slice(0, Number(cl));
      resolve({ status, head, headers, body, raw, closed });
      sock.destroy();
    };
    const timer = setTimeout(finish, waitMs);
    sock.on("data", (c: Buffer) => chunks.push(c));
    sock.on("end", () => {
      closed = true;
      finish();
    });
    sock.on("error", (e) => {
      if (chunks.length > 0) {
        closed = true;
        finish();
      } else reject(e);
    });
    sock.write(bytes);
  });
}

/** A port nobody listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
