/**
 * Real peers for the notifier tests: an HTTP receiver on loopback that records every request and
 * answers from a script (status, headers, or silence), and an SMTP server (the smtp-server package)
 * that records every message it accepted. Plus a notification shaped like the postmortem's.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { AlertView, Notification } from "../../../src/alerts/types.js";
import { V1 } from "../../api/harness.js";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of the JSON the notifiers sent
  readonly body: any;
}

/** What the peer answers to one request: a status (and headers), or no answer at all. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface HttpPeer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies for the next requests, in order; after them, `fallback`. */
  script(...replies: Reply[]): void;
  fallback: Reply;
  close(): Promise<void>;
}

export async function startHttpPeer(fallback: Reply = { status: 200, body: "ok" }): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  const hanging = new Set<import("node:http").ServerResponse>();
  const peer = {
    url: "",
    requests,
    fallback,
    script: (...replies: Reply[]) => {
      queue.push(...replies);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // recorded as text
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const reply = queue.shift() ?? peer.fallback;
      if (reply === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly user: string | undefined;
  readonly raw: string;
  /** Header name (lower case) -> value, unfolded. */
  readonly headers: Record<string, string>;
  /** The body, quoted-printable decoded. */
  readonly text: string;
}

export interface SmtpPeer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** SMTP reply code for the next messages (e.g. 451 transient, 550 permanent); then accept. */
  refuseNext(...codes: number[]): void;
  close(): Promise<void>;
}

/** RFC 2045 §6.7 quoted-printable: soft line breaks and =XX escapes. */
function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(split + 4);
  const qp = /quoted-printable/i.test(headers["content-transfer-encoding"] ?? "");
  return { headers, text: (qp ? decodeQuotedPrintable(body) : body).replace(/\r\n/g, "\n") };
}

export async function startSmtpPeer(auth?: { user: string; pass: string }): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const refusals: number[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS to offer (no certificate), login allowed without TLS.
    disabledCommands: auth === undefined ? ["STARTTLS", "AUTH"] : ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: auth === undefined,
    logger: false,
    onAuth(a, _session, callback) {
      if (auth !== undefined && a.username === auth.user && a.password === auth.pass) {
        callback(null, { user: a.username });
      } else callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const code = refusals.shift();
        if (code !== undefined) {
          callback(Object.assign(new Error(`refused by the test (${code})`), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        mails.push({
          from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          raw,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    refuseNext: (...codes) => {
      refusals.push(...codes);
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export function surgeAlert(over: Partial<AlertView> = {}): AlertView {
  return {
    fingerprint: "3f2a9c1d5e7b8a60",
    rule: "surge",
    state: "firing",
    severity: "critical",
    labels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
    summary: "requests 5.2x the usual on route checkout",
    description: "requests per second rose from 40 to 208 within 10 s",
    runbook: "https://runbooks.shop.example/surge",
    activeAt: "2026-03-14T01:59:50.000Z",
    firedAt: "2026-03-14T02:00:00.000Z",
    value: 0.97,
    ...over,
  };
}

/** A firing notification whose "what changed" names the postmortem's v42. */
export function surgeNotification(over: Partial<Notification> = {}): Notification {
  return {
    source: "alert",
    groupKey: "surge/route=checkout",
    status: "firing",
    severity: "critical",
    title: "[FIRING] surge on route checkout",
    text: "Requests on route checkout are 5.2x the usual rate.",
    alerts: [surgeAlert()],
    commonLabels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
    whatChanged: [
      {
        time: "2026-03-14T01:58:00.000Z",
        kind: "config",
        security: true,
        score: 0.95,
        title: "v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off",
        version: 42,
        author: "deploy-bot",
        diff: ["waf.modules.sqli: on -> off", "waf.modules.protocol: on -> off"],
        eventId: 812,
      },
      {
        time: "2026-03-14T01:40:00.000Z",
        kind: "rollout",
        security: false,
        score: 0.4,
        title: "v41 rolled out 01:40 to 3 gateways",
        version: 41,
      },
    ],
    url: "http://control.shop.example/alerts/surge",
    createdAt: "2026-03-14T02:00:00.000Z",
    ...over,
  };
}

/**
 * V1 with receivers that point at the test's peer, retrying fast (a test's time) but long: a row a
 * test expects pending is not given up after ten quick attempts on a busy machine.
 */
export function withReceivers(peerUrl: string, extra = ""): string {
  return `${V1}alerts:
  receivers:
    ops: { type: webhook, url: "${peerUrl}/hook", retry: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts: 1000 } }${extra}
`;
}
