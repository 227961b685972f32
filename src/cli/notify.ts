/**
 * `rampart notify`: the notification outbox of the control plane.
 *
 * - `rampart notify list [--status S] [--receiver R] [--limit N] [--json]`: recent notifications,
 *   newest first, with delivery status, attempts and last error, then receivers reported failing.
 * - `rampart notify test RECEIVER [--wait S] [--json]`: sends a test notification through a
 *   receiver of the live config and says whether the peer accepted it. Exit 0 when sent, 1 when
 *   not (yet): the reason is printed, and a pending one is still retried by the control plane.
 */
import type { Command } from "commander";
import type { NotificationRecord, ReceiverHealth } from "../alerts/notifiers/outbox.js";
import {
  type CommonOptions,
  clientFrom,
  formatTable,
  reportError,
  withClientOptions,
} from "../api/client.js";
import { ExitCode } from "../errors.js";

interface ListAnswer {
  notifications: NotificationRecord[];
  pending: number;
  receivers: string[];
  health: ReceiverHealth[];
  configError?: string;
}

const time = (iso: string | null): string => (iso === null ? "-" : iso.replace("T", " ").slice(0, 19));

/** The table people read; exported for tests. */
export function formatNotifications(answer: ListAnswer): string {
  const lines: string[] = [];
  if (answer.notifications.length === 0) lines.push("no notifications");
  else {
    lines.push(
      formatTable(
        ["ID", "CREATED (UTC)", "RECEIVER", "STATUS", "ATTEMPTS", "TITLE", "LAST ERROR"],
        answer.notifications.map((n) => [
          String(n.id),
          time(n.createdAt),
          n.receiver,
          n.status === "pending" && n.nextAttemptAt !== null && n.attempts > 0
            ? `pending (next ${time(n.nextAttemptAt).slice(11)})`
            : n.status,
          String(n.attempts),
          n.title,
          n.lastError ?? "",
        ]),
      ),
    );
  }
  lines.push(`${answer.pending} pending`);
  for (const h of answer.health) {
    if (h.failingSince !== null) {
      lines.push(`receiver ${h.receiver} failing since ${time(h.failingSince)}: ${h.lastError ?? "?"}`);
    }
  }
  if (answer.configError !== undefined)
    lines.push(`receivers of the live config not loaded: ${answer.configError}`);
  return lines.join("\n");
}

interface ListOptions extends CommonOptions {
  status?: string;
  receiver?: string;
  limit: string;
}

async function list(opts: ListOptions): Promise<number> {
  if (opts.status !== undefined && !["pending", "sent", "failed"].includes(opts.status)) {
    console.error(`error: --status ${opts.status}: use pending, sent or failed`);
    return ExitCode.invalidInput;
  }
  if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) {
    console.error(`error: --limit ${opts.limit}: use a positive whole number`);
    return ExitCode.invalidInput;
  }
  const q = new URLSearchParams({ limit: opts.limit });
  if (opts.status !== undefined) q.set("status", opts.status);
  if (opts.receiver !== undefined) q.set("receiver", opts.receiver);
  const answer = await clientFrom(opts).call<ListAnswer>("GET", `/notifications?${q}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  console.log(opts.json === true ? JSON.stringify(answer.body) : formatNotifications(answer.body));
  return ExitCode.ok;
}

interface TestOptions extends CommonOptions {
  wait: string;
}

async function test(receiver: string, opts: TestOptions): Promise<number> {
  const waitS = Number(opts.wait);
  if (!Number.isFinite(waitS) || waitS < 0 || waitS > 60) {
    console.error(`error: --wait ${opts.wait}: use a number of seconds from 0 to 60`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call<{ notification: NotificationRecord }>(
    "POST",
    `/receivers/${encodeURIComponent(receiver)}/test`,
    { waitS },
  );
  if (answer.status !== 202) return reportError(answer, opts.json);
  const n = answer.body.notification;
  if (opts.json === true) console.log(JSON.stringify(answer.body));
  else if (n.status === "sent") console.log(`sent: receiver ${receiver} accepted test notification ${n.id}`);
  else if (n.status === "failed") console.log(`failed: ${n.lastError ?? "?"}`);
  else if (n.attempts === 0) console.log(`queued as notification ${n.id}, not attempted yet`);
  else
    console.log(
      `not sent yet: ${n.lastError ?? "?"}\n  the control plane retries it (next attempt ${time(n.nextAttemptAt)} UTC)`,
    );
  return n.status === "sent" ? ExitCode.ok : ExitCode.failure;
}

export function registerNotify(program: Command): void {
  const notify = program.command("notify").description("Notifications: the outbox, and tests of receivers.");
  withClientOptions(
    notify
      .command("list")
      .description("Recent notifications, newest first: receiver, delivery status, attempts, last error.")
      .option("--status <status>", "only pending, sent or failed")
      .option("--receiver <name>", "only this receiver")
      .option("--limit <n>", "at most this many", "50"),
  ).action(async (opts: ListOptions) => {
    process.exitCode = await list(opts);
  });
  withClientOptions(
    notify
      .command("test")
      .argument("<receiver>", "a receiver name from alerts.receivers of the live config")
      .description("Send a test notification through RECEIVER and report whether it was accepted.")
      .option("--wait <seconds>", "how long to wait for the first attempt (0-60)", "10"),
  )
    .addHelpText("after", "\nExit codes: 0 sent, 1 not sent (the reason is printed), 2 invalid arguments.")
    .action(async (receiver: string, opts: TestOptions) => {
      process.exitCode = await test(receiver, opts);
    });
}
