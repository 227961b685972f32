/** Runbooks: every built-in alert has one, and each is written from the live values. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILTIN_RULE_NAMES } from "../../src/alerts/builtins.js";
import { fleetFor } from "../../src/control/fleet.js";
import { runbookText } from "../../src/incidents/report.js";
import { RUNBOOKS, runbookFor } from "../../src/incidents/runbooks/index.js";
import { divideRate, tightenRouteLimits } from "../../src/incidents/tighten.js";
import type { Store } from "../../src/store/store.js";
import { apply, type Clock, clock, doc, tempStore } from "./helpers.js";

let c: Clock;
let store: Store;

beforeEach(() => {
  c = clock();
  ({ store } = tempStore(c));
});
afterEach(() => store.close());

describe("runbooks", () => {
  it("exist for the config-related incident and every built-in alert", () => {
    for (const name of ["config-related", ...BUILTIN_RULE_NAMES]) expect(runbookFor(name)?.name).toBe(name);
    expect(RUNBOOKS).toHaveLength(1 + BUILTIN_RULE_NAMES.length);
  });

  it("config-related: the suspect version, modules live per gateway, and the exact rollback and probe", () => {
    apply(store, doc(), "v1");
    c.advance(60_000);
    apply(store, doc({ sqli: "off", port: 8081 }), "routine update", ["critical-modules-on"]);
    const v2 = store.versions.latest()!;
    fleetFor(store, { now: c.now }).attest({
      id: "edge-1",
      tags: [],
      pid: 1,
      host: "h",
      listen: "127.0.0.1:8080",
      configVersion: v2.id,
      configHash: v2.hash,
      controlConnected: true,
      waf: {
        mode: "blocking",
        rules: 100,
        modules: [
          { name: "sqli", state: "off", rules: 10 },
          { name: "xss", state: "on", rules: 10 },
        ],
      },
      routes: [],
      seconds: [],
    });
    c.advance(60_000);
    const rb = runbookText(store, "config-related", { nowMs: c.now(), incidentId: 4 });
    const md = rb.markdown;
    expect(rb.title).toBe("Config-related incident");
    expect(md).toContain("_Live values read at 2026-03-01T02:02:00.000Z for incident #4._");
    expect(md).toMatch(/1\. \[security\] v2 applied 02:01 by deploy-bot: waf\.modules\.sqli off/);
    expect(md).toContain(
      '- Live config: **v2** (override) by deploy-bot at 2026-03-01T02:01:00.000Z: "routine update"',
    );
    expect(md).toContain("- WAF mode in v2: blocking; modules off: sqli");
    expect(md).toMatch(/\| edge-1 \| \w+ \| v2 \| blocking \| sqli \| required modules OFF: sqli \|/);
    expect(md).toContain('rampart config rollback 1 -m "incident #4: back to v1"');
    expect(md).toContain(
      `curl -s -o /dev/null -w '%{http_code}\\n' "http://127.0.0.1:8080/?id=1%27%20OR%20%271%27=%271"   # expect 403`,
    );
    expect(rb.facts.live?.modulesOff).toEqual(["sqli"]);
  });

  it("surge: the route's limits and the exact tighten command", () => {
    apply(store, doc(), "v1");
    const md = runbookText(store, "surge", { nowMs: c.now(), route: "checkout" }).markdown;
    expect(md).toContain("- checkout (critical): per-ip 10/s burst 20");
    expect(md).not.toContain("- browse");
    expect(md).toContain('rampart limits tighten checkout --factor 2 -m "incident: tighten checkout"');
  });

  it("prints without any config, and refuses an unknown name", () => {
    expect(runbookText(store, "gateway-down", { nowMs: c.now() }).markdown).toContain(
      "No gateway has attested yet",
    );
    expect(() => runbookText(store, "ddos", { nowMs: c.now() })).toThrow(
      expect.objectContaining({ code: "RUNBOOK_NOT_FOUND" }),
    );
  });
});

describe("limits tighten (the runbook's step)", () => {
  it("divides rate and burst, exactly where it can, and keeps the rest of the document", () => {
    expect(divideRate("10/s", 2)).toBe("5/s");
    expect(divideRate("10/s", 3)).toBe("10/3s");
    expect(divideRate("6000/min", 4)).toBe("1500/min");
    expect(divideRate("1/s", 2)).toBe("1/2s");
    const before = `# the shop\n${doc()}`;
    const r = tightenRouteLimits(before, "checkout", 2);
    expect(r.limits).toEqual([
      { limit: "per-ip", rate: { before: "10/s", after: "5/s" }, burst: { before: 20, after: 10 } },
    ]);
    expect(r.document).toContain("# the shop");
    expect(r.document).toContain("rateLimits: [ { name: per-ip, rate: 5/s, burst: 10 } ]");
    expect(r.document).toContain("rate: 50/s, burst: 100");
    apply(store, doc(), "v1");
    expect(apply(store, r.document, "tighten checkout")).toBe(2); // through the policies, as any version
    expect(() => tightenRouteLimits(before, "cart", 2)).toThrow(
      expect.objectContaining({ code: "LIMITS_NOT_TIGHTENABLE", hint: "routes: checkout, browse" }),
    );
    expect(() => tightenRouteLimits(before, "checkout", 0.5)).toThrow(
      expect.objectContaining({ code: "LIMITS_NOT_TIGHTENABLE" }),
    );
  });
});
