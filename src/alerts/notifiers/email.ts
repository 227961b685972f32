/**
 * Email over SMTP with nodemailer: subject = the notification's title, a plain-text body that
 * leads with what changed (the likeliest cause first), then the message and the alerts. Every
 * message about one group carries the same References header, so mail clients thread the firing
 * and the resolved message together. SMTP replies are classified by RFC 5321 §4.2.1 (4yz transient,
 * 5yz permanent).
 */
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { Notification } from "../types.js";
import { NotifierError } from "./errors.js";
import { alertLine, whatChangedLines } from "./format.js";
import type { Notifier } from "./registry.js";
import type { EmailReceiver } from "./schema.js";
import { readSecret } from "./secrets.js";

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly references: string;
}

export function toEmailMessage(n: Notification): EmailMessage {
  const lines: string[] = [];
  const changes = whatChangedLines(n);
  if (changes.length > 0) {
    lines.push(`What changed: ${changes[0]}`);
    for (const c of changes.slice(1)) lines.push(`              ${c}`);
    const diff = n.whatChanged[0]?.diff ?? [];
    for (const d of diff.slice(0, 10)) lines.push(`    ${d}`);
  } else {
    lines.push("What changed: no config, override, rollout or drift change in the window before it");
  }
  lines.push("");
  if (n.text.trim() !== "") lines.push(n.text.trimEnd(), "");
  if (n.alerts.length > 0) {
    lines.push("Alerts:");
    for (const a of n.alerts) {
      lines.push(`  ${alertLine(a)}`);
      if (a.runbook !== undefined) lines.push(`    runbook: ${a.runbook}`);
    }
    lines.push("");
  }
  if (n.incident !== undefined) {
    lines.push(`Incident ${n.incident.id}: ${n.incident.state}, severity ${n.incident.severity}`, "");
  }
  if (n.url !== undefined) lines.push(n.url);
  const thread = createHash("sha256").update(n.groupKey).digest("hex").slice(0, 32);
  return {
    subject: n.title,
    text: `${lines.join("\n").trimEnd()}\n`,
    headers: {
      "X-Rampart-Group-Key": n.groupKey,
      "X-Rampart-Status": n.status,
      "X-Rampart-Severity": n.severity,
    },
    references: `<${thread}@rampart.notifications>`,
  };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

function classify(receiver: string, config: EmailReceiver, err: unknown): NotifierError {
  const e = (err ?? {}) as SmtpFailure;
  const where = `${config.host}:${config.port}`;
  const reply = e.responseCode;
  if (reply !== undefined && reply >= 500) {
    return new NotifierError(
      "NOTIFIER_REJECTED",
      `receiver ${receiver}: ${where} refused: ${e.response ?? e.message}`,
      {
        retryable: false,
        misconfigured: e.code === "EAUTH",
        status: reply,
        hint:
          e.code === "EAUTH"
            ? "check the receiver's user and password"
            : "check the receiver's from and to addresses",
        cause: err,
      },
    );
  }
  if (reply !== undefined && reply >= 400) {
    return new NotifierError(
      "NOTIFIER_PEER_FAILED",
      `receiver ${receiver}: ${where} deferred: ${e.response ?? e.message}`,
      {
        retryable: true,
        status: reply,
        cause: err,
      },
    );
  }
  if (e.code === "ETIMEDOUT") {
    return new NotifierError("NOTIFIER_TIMEOUT", `receiver ${receiver}: ${where} did not answer in time`, {
      retryable: true,
      cause: err,
    });
  }
  return new NotifierError(
    "NOTIFIER_UNREACHABLE",
    `receiver ${receiver}: cannot deliver to ${where}: ${e.message ?? String(err)}`,
    {
      retryable: true,
      cause: err,
    },
  );
}

export const emailNotifier: Notifier<EmailReceiver> = {
  kind: "email",
  async send(n, config, ctx) {
    const password = readSecret(ctx.receiver, "password", config.password, config.passwordEnv, ctx.env);
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      ...(config.user === undefined ? {} : { auth: { user: config.user, pass: password ?? "" } }),
    });
    const message = toEmailMessage(n);
    // nodemailer takes no AbortSignal: a stop or the overall limit closes the transport instead.
    const limit = AbortSignal.any([AbortSignal.timeout(config.timeoutMs), ctx.signal]);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        transport.close();
        reject(
          ctx.signal.aborted
            ? new NotifierError(
                "NOTIFIER_INTERRUPTED",
                `receiver ${ctx.receiver}: stopped while sending mail`,
                {
                  retryable: true,
                },
              )
            : new NotifierError(
                "NOTIFIER_TIMEOUT",
                `receiver ${ctx.receiver}: ${config.host}:${config.port} did not accept the mail within ${config.timeoutMs} ms`,
                { retryable: true },
              ),
        );
      };
      if (limit.aborted) onAbort();
      else limit.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([
        transport
          .sendMail({
            from: config.from,
            to: config.to,
            subject: message.subject,
            text: message.text,
            headers: message.headers,
            references: message.references,
          })
          .catch((err: unknown) => {
            throw classify(ctx.receiver, config, err);
          }),
        aborted,
      ]);
    } finally {
      if (onAbort !== undefined) limit.removeEventListener("abort", onAbort);
      transport.close();
    }
  },
};
