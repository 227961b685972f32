/**
 * The registry of notifiers: one per receiver `type`, each in its own file, each turning a
 * Notification into its peer's wire format and sending it once. Retrying, ordering and durability
 * are the dispatcher's (dispatcher.ts), as in Alertmanager, whose integrations implement one small
 * Notify interface with the retry loop outside them. Adding a kind is one file, one entry here and
 * its settings in schema.ts.
 */
import type { Notification } from "../types.js";
import { emailNotifier } from "./email.js";
import { pagerdutyNotifier } from "./pagerduty.js";
import type { NotifierKind, ReceiverConfig } from "./schema.js";
import type { Environment } from "./secrets.js";
import { slackNotifier } from "./slack.js";
import { webhookNotifier } from "./webhook.js";

export interface SendContext {
  /** The receiver's name in the config (the webhook body and messages carry it). */
  readonly receiver: string;
  /** Aborted when the dispatcher stops; each notifier adds its own time limit (timeoutMs). */
  readonly signal: AbortSignal;
  /** Where `...Env` secrets are read (process.env in production). */
  readonly env: Environment;
}

export interface Notifier<R extends ReceiverConfig = ReceiverConfig> {
  readonly kind: R["type"];
  /**
   * Sends one notification; resolves once the peer accepted it, throws a NotifierError otherwise
   * (its `retryable` decides whether the dispatcher tries again).
   */
  send(notification: Notification, config: R, ctx: SendContext): Promise<void>;
}

type NotifierTable = { readonly [K in NotifierKind]: Notifier<Extract<ReceiverConfig, { type: K }>> };

const NOTIFIERS: NotifierTable = {
  webhook: webhookNotifier,
  slack: slackNotifier,
  pagerduty: pagerdutyNotifier,
  email: emailNotifier,
};

/** Sends through the notifier of the receiver's kind. */
export function sendTo(notification: Notification, config: ReceiverConfig, ctx: SendContext): Promise<void> {
  // The table is indexed by the same discriminant, so the pair always matches.
  const notifier = NOTIFIERS[config.type] as Notifier;
  return notifier.send(notification, config, ctx);
}
