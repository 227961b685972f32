/**
 * The `alerts:` section of rampart.yaml (added to src/config/schema.ts), validated at config load so
 * that a rule that does not parse is refused with its YAML path, like every other mistake. Defaults
 * are Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#route).
 *
 * ```yaml
 * alerts:
 *   rules:
 *     - name: checkout-errors                     # becomes the alertname label
 *       expr: error_ratio{route="checkout"} > 2%  # or anomaly(requests, drop) > 0.9 (src/alerts/expr.ts)
 *       for: 30s                                  # pending this long before firing (default 0)
 *       severity: critical                        # info | warning | critical (default warning)
 *       labels: { team: shop }                    # added to the alert's labels
 *       summary: "checkout errors at {{value}}"   # {{label}} and {{value}} are replaced
 *       runbook: error-spike                      # a runbook name or a link
 *   route:
 *     groupBy: [alertname, route]                 # one notification per group
 *     groupWait: 30s                              # wait for more alerts before the first notification
 *     groupInterval: 5m                           # then at most one notification per group this often
 *     repeatInterval: 4h                          # a group that did not change is sent again after this
 *     receivers: [ops]                            # names from alerts.receivers
 *     sendResolved: true
 *   inhibit:                                      # a firing source mutes matching targets
 *     - { sourceMatchers: ['alertname="gateway-down"'], targetMatchers: ['route=~".+"'], equal: [gateway] }
 *   receivers: { ops: { type: webhook, url: https://hooks.example/alerts } }   # src/alerts/notifiers/schema.ts
 *   whatChangedWindow: 30m                        # how far back "what changed" looks
 *   builtins: on                                  # on | off | { surge: off, traffic-drop: on, ... }
 * ```
 */
import { z } from "zod";
import { BUILTIN_RULE_NAMES } from "./builtins.js";
import { tryParseDuration } from "./duration.js";
import { parseExpr } from "./expr.js";
import { LABEL_NAME, parseMatcher } from "./matchers.js";
import { receiversSchema } from "./notifiers/schema.js";
import { ALERT_SEVERITIES } from "./types.js";

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const duration = z.string().superRefine((text, ctx) => {
  if (tryParseDuration(text) === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${JSON.stringify(text)} is not a duration (use 30s, 5m, 2h, 1h30m)`,
    });
  }
});

const labelName = z.string().regex(LABEL_NAME, "is not a label name (letters, digits, _)");

const exprText = z.string().superRefine((text, ctx) => {
  try {
    parseExpr(text);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
  }
});

const matcherText = z.string().superRefine((text, ctx) => {
  try {
    parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
  }
});

const ruleSchema = z
  .object({
    name: z.string().regex(RULE_NAME, "must be 1-64 letters, digits, '-', '_' or '.'"),
    expr: exprText,
    for: duration.optional(),
    severity: z.enum(ALERT_SEVERITIES).default("warning"),
    labels: z.record(labelName, z.string().max(200)).default({}),
    summary: z.string().max(500).optional(),
    description: z.string().max(4000).optional(),
    runbook: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    let inExpr: number | undefined;
    try {
      inExpr = parseExpr(rule.expr).forMs;
    } catch {
      return; // reported on expr
    }
    if (inExpr !== undefined && rule.for !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["for"],
        message: "the expression has a `for` already: give it once",
      });
    }
    if ("alertname" in rule.labels) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["labels", "alertname"],
        message: "alertname is the rule's name",
      });
    }
  });

const routeSchema = z
  .object({
    groupBy: z.array(labelName).default(["alertname", "route"]),
    groupWait: duration.default("30s"),
    groupInterval: duration.default("5m"),
    repeatInterval: duration.default("4h"),
    receivers: z.array(z.string().min(1)).default([]),
    sendResolved: z.boolean().default(true),
  })
  .strict()
  .default({});

const inhibitSchema = z
  .object({
    sourceMatchers: z.array(matcherText).min(1, "needs at least one matcher"),
    targetMatchers: z.array(matcherText).min(1, "needs at least one matcher"),
    equal: z.array(labelName).default([]),
  })
  .strict();

const onOff = z.enum(["on", "off"]);

export const alertsSchema = z
  .object({
    rules: z.array(ruleSchema).default([]),
    route: routeSchema,
    inhibit: z.array(inhibitSchema).default([]),
    receivers: receiversSchema.default({}),
    whatChangedWindow: duration.default("30m"),
    builtins: z
      .union([onOff, z.record(z.enum(BUILTIN_RULE_NAMES as [string, ...string[]]), onOff)])
      .default("on"),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.rules.forEach((r, i) => {
      if (seen.has(r.name)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["rules", i, "name"],
          message: `duplicate rule name ${JSON.stringify(r.name)}`,
        });
      }
      seen.add(r.name);
    });
    const known = Object.keys(cfg.receivers);
    cfg.route.receivers.forEach((name, i) => {
      if (!known.includes(name)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["route", "receivers", i],
          message: `unknown receiver ${JSON.stringify(name)} (defined: ${known.length === 0 ? "none" : known.join(", ")})`,
        });
      }
    });
  })
  .default({});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertRuleConfig = AlertsConfig["rules"][number];
