/**
 * Inhibition, as Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule):
 * while an alert matching a rule's source matchers fires, alerts matching its target matchers that
 * have the same values for the `equal` labels are muted (a missing label counts as the empty
 * string). As in Alertmanager's inhibitor, an alert never inhibits itself, and when the target
 * matches the source matchers too, sources that also match the target matchers are not used, so
 * that two alerts matching both sides cannot mute each other.
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
        if (!rule.equal.every((l) => (src.labels[l] ?? "") === (target.labels[l] ?? ""))) continue;
        const list = out.get(target.fingerprint);
        if (list === undefined) out.set(target.fingerprint, [src.fingerprint]);
        else if (!list.includes(src.fingerprint)) list.push(src.fingerprint);
      }
    }
  }
  return out;
}
