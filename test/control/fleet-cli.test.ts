/** `rampart fleet` output (src/cli/fleet.ts): the table people read. */
import { describe, expect, it } from "vitest";
import { formatFleet } from "../../src/cli/fleet.js";
import type { GatewaySummary } from "../../src/control/fleet.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
function gw(over: Partial<GatewaySummary>): GatewaySummary {
  return {
    id: "edge-1",
    tags: [],
    assignedVersion: 3,
    runningVersion: 3,
    wafMode: "blocking",
    modulesOff: [],
    lastSeen: "2026-01-01T11:59:58Z",
    state: "ok",
    drift: [],
    listen: "127.0.0.1:8080",
    pid: 1,
    host: "h",
    lastError: null,
    ...over,
  };
}

describe("formatFleet", () => {
  it("aligns one row per gateway and lists drift reasons under the table", () => {
    const text = formatFleet(
      {
        gateways: [
          gw({}),
          gw({
            id: "edge-22",
            tags: ["canary", "eu"],
            runningVersion: 2,
            modulesOff: ["sqli", "xss"],
            state: "drift",
            drift: ["gateway edge-22: WAF module sqli is off, version 3 has it on"],
            lastSeen: "2026-01-01T11:55:00Z",
          }),
          gw({
            id: "edge-3",
            runningVersion: null,
            wafMode: null,
            state: "unreachable",
            lastSeen: "2026-01-01T08:00:00Z",
          }),
        ],
        rollout: { stable: 3, active: { version: 4, phase: "canary", strategy: "canary" } },
      },
      NOW,
    );
    expect(text.split("\n")).toEqual([
      "ID       TAGS       VERSION (assigned/running)  WAF       MODULES OFF  LAST SEEN  STATE",
      "edge-1   -          3/3                         blocking  -            2s ago     ok",
      "edge-22  canary,eu  3/2                         blocking  sqli,xss     5m ago     drift",
      "edge-3   -          3/-                         -         -            4h ago     unreachable",
      "  edge-22: gateway edge-22: WAF module sqli is off, version 3 has it on",
      "rollout of version 4 in progress (canary, canary phase)",
    ]);
  });

  it("says when no gateway has called yet", () => {
    expect(formatFleet({ gateways: [], rollout: {} }, NOW)).toMatch(
      /no gateway has called this control plane yet/,
    );
  });
});
