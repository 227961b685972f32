/**
 * Inhibition, as Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule):
 * while an alert matching a rule's source matchers fires, alerts matching its target matchers that
 * have the same values for the `equal` labels are muted (a missing label counts as the empty
 * string). As in Alertmanager's inhibitor, an alert never inhibits itself, and when the target
 * matches the source matchers too, sources that also match the target matchers are not used, so
 * that two alerts matching both sides cannot mute each other.
 *
 * One addition for series alerts: per-route series are sums over every gateway (all gateways run
 * the same config, so each serves every route). A rule may list such `aggregated` labels: a target
 * without that label counts as equal on it, since its series includes the source's gateway. This is
 * how the built-in rule lets a silent gateway mute the route alerts its silence causes.
 */
import { matchesAll } from "./matchers.js";
import type { InhibitRule } from "./rules.js";
import type { AlertView } from "./types.js";

/** For each muted alert, the fingerprints of the firing alerts that inhibit it. */
export function inhibitions(
  rules: readonly InhibitRule[],
  alerts: readonly AlertView[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const firing = alerts.filter((a) => a.state === "firing");
  for (const rule of rules) {
    const sources = firing.filter((a) => matchesAll(rule.sourceMatchers, a.labels));
    if (sources.length === 0) continue;
    for (const target of alerts) {
      if (!matchesAll(rule.targetMatchers, target.labels)) continue;
      const twoSided = matchesAll(rule.sourceMatchers, target.labels);
      for (const src of sources) {
        if (src.fingerprint === target.fingerprint) continue;
        if (twoSided && matchesAll(rule.targetMatchers, src.labels)) continue;
        const equal = rule.equal.every(
          (l) =>
            (src.labels[l] ?? "") === (target.labels[l] ?? "") ||
            (target.labels[l] === undefined && (rule.aggregated?.includes(l) ?? false)),
        );
        if (!equal) continue;
        const list = out.get(target.fingerprint);
        if (list === undefined) out.set(target.fingerprint, [src.fingerprint]);
        else if (!list.includes(src.fingerprint)) list.push(src.fingerprint);
      }
    }
  }
  return out;
}
