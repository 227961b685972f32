/** A group's notification: title, the "what changed" line leading the text, common labels, severity. */
import { describe, expect, it } from "vitest";
import type { GroupFlush } from "../../src/alerts/dispatch.js";
import { fingerprint } from "../../src/alerts/fingerprint.js";
import { buildNotification, onsetOf } from "../../src/alerts/notification.js";
import type { AlertView } from "../../src/alerts/types.js";
import type { ChangeEntry } from "../../src/changes/types.js";
import { formatChange } from "../../src/changes/what-changed.js";

function alert(labels: Record<string, string>, over: Partial<AlertView> = {}): AlertView {
  const all = { alertname: "surge", severity: "warning", ...labels };
  return {
    fingerprint: fingerprint(all),
    rule: "surge",
    state: "firing",
    severity: "warning",
    labels: all,
    summary: `surge ${JSON.stringify(labels)}`,
    runbook: "surge",
    activeAt: "2026-11-25T02:00:00.000Z",
    firedAt: "2026-11-25T02:00:03.000Z",
    ...over,
  };
}

const v42: ChangeEntry = {
  time: "2026-11-25T01:58:00.000Z",
  kind: "config",
  security: true,
  score: 0.95,
  title: "v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off",
  version: 42,
};
const rollout: ChangeEntry = {
  time: "2026-11-25T01:58:30.000Z",
  kind: "rollout",
  security: false,
  score: 0.4,
  title: "v42 rolled out to edge-1",
};

function flush(firing: AlertView[], resolved: AlertView[] = []): GroupFlush {
  return {
    groupKey: '{alertname="surge"}',
    groupLabels: { alertname: "surge" },
    status: firing.length > 0 ? "firing" : "resolved",
    firing,
    resolved,
    entry: { groupKey: '{alertname="surge"}', firing: [], resolved: [], sentAtMs: 0 },
    send: true,
  };
}

describe("buildNotification", () => {
  it("one alert: its place in the title, what changed first, then the alert and the other changes", () => {
    const a = alert({ route: "checkout" }, { severity: "critical" });
    const n = buildNotification(flush([a]), [v42, rollout], formatChange, new Date("2026-11-25T02:00:04Z"));
    expect(n.title).toBe("[FIRING] surge on route checkout");
    expect(n.severity).toBe("critical");
    expect(n.text.split("\n")).toEqual([
      "What changed: [security] v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off",
      "",
      'FIRING since 2026-11-25T02:00:03.000Z: surge {"route":"checkout"}',
      "  runbook: surge",
      "",
      "Other changes before it:",
      "  v42 rolled out to edge-1",
    ]);
    expect(n.whatChanged).toEqual([v42, rollout]);
    expect(n.commonLabels).toEqual({ alertname: "surge", severity: "warning", route: "checkout" });
  });

  it("a group over several places names them; nothing recorded is said so", () => {
    const fleet = alert({});
    const gw = alert({ gateway: "edge-1" }, { activeAt: "2026-11-25T01:59:58.000Z" });
    const n = buildNotification(flush([fleet, gw]), [], formatChange, new Date());
    expect(n.title).toBe("[FIRING:2] surge on the fleet; gateway edge-1");
    expect(n.text.split("\n")[0]).toBe("What changed: nothing recorded before it.");
    expect(onsetOf(flush([fleet, gw])).toISOString()).toBe("2026-11-25T01:59:58.000Z");
  });

  it("a resolution", () => {
    const a = alert({ route: "checkout" }, { state: "resolved", resolvedAt: "2026-11-25T02:10:00.000Z" });
    const n = buildNotification(flush([], [a]), [v42], formatChange, new Date());
    expect([n.status, n.title]).toEqual(["resolved", "[RESOLVED] surge on route checkout"]);
    expect(n.text).toContain('RESOLVED at 2026-11-25T02:10:00.000Z: surge {"route":"checkout"}');
  });
});
