/** Public surface of the notifiers: receiver settings, the dispatcher, and the wire formats. */
export { realSleep, retryDelayMs, type Sleep } from "./backoff.js";
export {
  DEFAULT_RETRY,
  Dispatcher,
  type DispatcherOptions,
  type DispatcherStatus,
  dispatcherFor,
  MAX_NOTIFICATION_BYTES,
  testNotification,
} from "./dispatcher.js";
export { toEmailMessage } from "./email.js";
export { NotifierError, type NotifierErrorCode } from "./errors.js";
export type {
  DeliveryStatus,
  ListNotificationsOptions,
  NotificationRecord,
  ReceiverHealth,
} from "./outbox.js";
export { dedupKey, toPagerDutyEvent } from "./pagerduty.js";
export { type Notifier, type SendContext, sendTo } from "./registry.js";
export {
  DEFAULT_PAGERDUTY_URL,
  type EmailReceiver,
  NOTIFIER_KINDS,
  type NotifierKind,
  type PagerDutyReceiver,
  type ReceiverConfig,
  type ReceiversConfig,
  type ReceiversInput,
  type RetrySettings,
  receiverSchema,
  receiversSchema,
  retrySchema,
  type SlackReceiver,
  type WebhookReceiver,
} from "./schema.js";
export { toSlackMessage } from "./slack.js";
export { toWebhookBody } from "./webhook.js";
