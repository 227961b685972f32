/**
 * A webhook receiver on loopback that keeps what it was sent, with the time each body arrived:
 * where a drill points its alert receiver to see the notifications exactly as a person (or
 * Alertmanager-compatible tooling) would get them, and when.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  /** Milliseconds since the epoch, when the body was complete. */
  readonly at: number;
  readonly path: string;
  readonly body: unknown;
}

export interface WebhookSink {
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** Resolves with the first body (already received or to come) that `match` accepts. */
  waitFor(match: (w: ReceivedWebhook) => boolean, timeoutMs: number): Promise<ReceivedWebhook | undefined>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startWebhookSink(): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: a receiver records what it got, parsed or not.
      }
      received.push({ at: Date.now(), path: req.url ?? "/", body });
      for (const w of waiters) w();
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    waitFor(match, timeoutMs) {
      const found = received.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => {
        const check = () => {
          const hit = received.find(match);
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(undefined);
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
