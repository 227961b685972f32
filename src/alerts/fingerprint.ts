/**
 * An alert's identity: a hash of its sorted label set, alertname included, as Alertmanager's
 * fingerprint (prometheus/common model.LabelSet.Fingerprint). The same rule on the same series is
 * the same alert across evaluations and restarts; another route is another alert.
 */
import { createHash } from "node:crypto";
import type { Labels } from "./matchers.js";

export function fingerprint(labels: Labels): string {
  const h = createHash("sha256");
  for (const name of Object.keys(labels).sort()) {
    // 0xff cannot occur in UTF-8 text: no two label sets share an encoding.
    h.update(name).update("\xff").update(labels[name]!).update("\xff");
  }
  return h.digest("hex").slice(0, 16);
}

/** `{a="1",b="2"}`: a label set as one string, sorted, for keys and messages. */
export function labelKey(labels: Labels): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",")}}`;
}
