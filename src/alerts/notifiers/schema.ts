/**
 * The `alerts.receivers` section of rampart.yaml: where notifications go. A receiver is a name and
 * one kind of notifier with its settings; alert routes name receivers. Secrets (webhook URLs that
 * embed a token, PagerDuty routing keys, SMTP passwords) may be given as the NAME of an environment
 * variable instead of the value (`urlEnv`, `routingKeyEnv`, `passwordEnv`), so that they need not sit
 * in the versioned config; the variable is read at send time (src/alerts/notifiers/secrets.ts).
 *
 * ```yaml
 * alerts:
 *   receivers:
 *     ops-webhook:
 *       type: webhook                              # Alertmanager webhook JSON (version 4)
 *       url: https://hooks.example/rampart          # or urlEnv: RAMPART_OPS_WEBHOOK_URL
 *       headers: { x-team: shop }                   # optional, sent with every request
 *     ops-slack:
 *       type: slack                                # Slack incoming webhook
 *       urlEnv: SLACK_WEBHOOK_URL
 *       channel: "#shop-alerts"                    # optional override of the webhook's channel
 *     on-call:
 *       type: pagerduty                            # Events API v2
 *       routingKeyEnv: PD_ROUTING_KEY              # or routingKey: ...
 *       url: https://events.pagerduty.com/v2/enqueue   # the default
 *     ops-mail:
 *       type: email                                # SMTP through nodemailer
 *       host: smtp.example
 *       port: 587                                  # the default; 465 with secure: true
 *       secure: false                              # true: TLS from the start; false: STARTTLS if offered
 *       user: rampart                              # optional; password or passwordEnv with it
 *       passwordEnv: SMTP_PASSWORD
 *       from: "Rampart <rampart@shop.example>"
 *       to: [ops@shop.example]
 *   # every receiver may also set:
 *   #   timeoutMs: 10000                           # one attempt's limit (connect + answer)
 *   #   retry: { maxAttempts: 10, initialDelayMs: 2000, maxDelayMs: 300000, maxAgeMs: 21600000 }
 * ```
 */
import { z } from "zod";

const RECEIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** POSIX portable environment variable names (IEEE Std 1003.1, 8.1), upper or lower case. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ms = z.number().int().min(1).max(86_400_000);

export const NOTIFIER_KINDS = ["webhook", "slack", "pagerduty", "email"] as const;
export type NotifierKind = (typeof NOTIFIER_KINDS)[number];

export const DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";

const httpUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "is not a URL (use https://host/path)" });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be an http:// or https:// URL" });
  }
});

const envName = z.string().regex(ENV_NAME, "is not an environment variable name (use NAME_LIKE_THIS)");

/**
 * How long a notification is retried. Delays double from initialDelayMs up to maxDelayMs, with
 * jitter; a notification is failed after maxAttempts attempts or once older than maxAgeMs, whichever
 * comes first (an alert notification a day late is noise, not help).
 */
export const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(1000).default(10),
    initialDelayMs: ms.default(2_000),
    maxDelayMs: ms.default(300_000),
    maxAgeMs: ms.default(21_600_000),
  })
  .strict()
  .refine((r) => r.maxDelayMs >= r.initialDelayMs, {
    message: "maxDelayMs must be at least initialDelayMs",
    path: ["maxDelayMs"],
  });

const common = {
  timeoutMs: ms.default(10_000),
  retry: retrySchema.default({}),
};

const webhookSchema = z
  .object({
    type: z.literal("webhook"),
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    headers: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "is not a header name"), z.string())
      .optional(),
    ...common,
  })
  .strict();

const slackSchema = z
  .object({
    type: z.literal("slack"),
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    channel: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const pagerdutySchema = z
  .object({
    type: z.literal("pagerduty"),
    routingKey: z.string().min(1).optional(),
    routingKeyEnv: envName.optional(),
    url: httpUrl.default(DEFAULT_PAGERDUTY_URL),
    ...common,
  })
  .strict();

const emailSchema = z
  .object({
    type: z.literal("email"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordEnv: envName.optional(),
    from: z.string().min(3),
    to: z.array(z.string().email("is not an email address")).min(1, "must list at least one address"),
    ...common,
  })
  .strict();

/** Exactly one of a secret's two spellings (value or environment variable). */
function oneOf(
  receiver: Record<string, unknown>,
  value: string,
  env: string,
  ctx: z.RefinementCtx,
  required: boolean,
): void {
  const both = receiver[value] !== undefined && receiver[env] !== undefined;
  const neither = receiver[value] === undefined && receiver[env] === undefined;
  if (both) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [env], message: `give ${value} or ${env}, not both` });
  } else if (neither && required) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [value], message: `${value} or ${env} is required` });
  }
}

export const receiverSchema = z
  .discriminatedUnion("type", [webhookSchema, slackSchema, pagerdutySchema, emailSchema], {
    errorMap: (issue, ctx) =>
      issue.code === z.ZodIssueCode.invalid_union_discriminator
        ? { message: `type must be one of ${NOTIFIER_KINDS.join(", ")}` }
        : { message: ctx.defaultError },
  })
  .superRefine((receiver, ctx) => {
    switch (receiver.type) {
      case "webhook":
      case "slack":
        oneOf(receiver, "url", "urlEnv", ctx, true);
        break;
      case "pagerduty":
        oneOf(receiver, "routingKey", "routingKeyEnv", ctx, true);
        break;
      case "email":
        oneOf(receiver, "password", "passwordEnv", ctx, false);
        if (
          receiver.user === undefined &&
          (receiver.password !== undefined || receiver.passwordEnv !== undefined)
        ) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["user"], message: "a password needs a user" });
        }
        break;
    }
  });

export const receiversSchema = z.record(
  z.string().regex(RECEIVER_NAME, "must be 1-64 letters, digits, '-', '_' or '.'"),
  receiverSchema,
);

export type ReceiverConfig = z.infer<typeof receiverSchema>;
export type ReceiversConfig = z.infer<typeof receiversSchema>;
export type ReceiversInput = z.input<typeof receiversSchema>;
export type RetrySettings = z.infer<typeof retrySchema>;
export type WebhookReceiver = Extract<ReceiverConfig, { type: "webhook" }>;
export type SlackReceiver = Extract<ReceiverConfig, { type: "slack" }>;
export type PagerDutyReceiver = Extract<ReceiverConfig, { type: "pagerduty" }>;
export type EmailReceiver = Extract<ReceiverConfig, { type: "email" }>;
