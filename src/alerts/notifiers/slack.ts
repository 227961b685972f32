/**
 * Slack incoming webhook (https://api.slack.com/messaging/webhooks): `text` is the fallback shown in
 * notifications, `blocks` the message (https://api.slack.com/reference/block-kit/blocks). The first
 * "what changed" line sits right under the title: in the postmortem's outage it named the cause.
 * Block Kit limits: header text 150 characters, section text 3000; text is escaped as Slack asks
 * (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
import type { Notification } from "../types.js";
import { alertLine, leadingChange, whatChangedLines } from "./format.js";
import { postJson } from "./http.js";
import type { Notifier } from "./registry.js";
import type { SlackReceiver } from "./schema.js";
import { requireSecret } from "./secrets.js";

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
/** Alerts listed one per line; a storm is summarised, not pasted. */
const MAX_ALERT_LINES = 10;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type Block = Record<string, unknown>;

function section(markdown: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: clip(markdown, SECTION_MAX) } };
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
  readonly channel?: string;
}

export function toSlackMessage(n: Notification, channel?: string): SlackMessage {
  const lead = leadingChange(n);
  const blocks: Block[] = [{ type: "header", text: { type: "plain_text", text: clip(n.title, HEADER_MAX) } }];
  if (lead !== undefined) blocks.push(section(`*What changed:* ${escapeMrkdwn(lead)}`));
  if (n.text.trim() !== "") blocks.push(section(escapeMrkdwn(n.text)));
  if (n.alerts.length > 0) {
    const lines = n.alerts.slice(0, MAX_ALERT_LINES).map((a) => `• ${escapeMrkdwn(alertLine(a))}`);
    if (n.alerts.length > MAX_ALERT_LINES) lines.push(`• and ${n.alerts.length - MAX_ALERT_LINES} more`);
    blocks.push(section(lines.join("\n")));
  }
  const changes = whatChangedLines(n);
  if (changes.length > 1) {
    blocks.push(section(`*Changes before it:*\n${changes.map((c) => `• ${escapeMrkdwn(c)}`).join("\n")}`));
  }
  const context = [`severity *${n.severity}*`, `status *${n.status}*`];
  if (n.incident !== undefined) context.push(`incident ${n.incident.id} (${escapeMrkdwn(n.incident.state)})`);
  if (n.url !== undefined) context.push(`<${n.url}|open in Rampart>`);
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context.join(" · ") }] });
  return {
    text: lead === undefined ? n.title : `${n.title}\nWhat changed: ${lead}`,
    blocks,
    ...(channel === undefined ? {} : { channel }),
  };
}

export const slackNotifier: Notifier<SlackReceiver> = {
  kind: "slack",
  async send(n, config, ctx) {
    const url = requireSecret(ctx.receiver, "url", config.url, config.urlEnv, ctx.env);
    await postJson({
      receiver: ctx.receiver,
      url,
      body: toSlackMessage(n, config.channel),
      timeoutMs: config.timeoutMs,
      signal: ctx.signal,
    });
  },
};
