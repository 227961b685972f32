/** Drift detection (src/control/drift.ts): table of attested states against the assigned version. */
import { describe, expect, it } from "vitest";
import {
  type Attestation,
  type DriftInput,
  type DriftReason,
  detectDrift,
  driftTransitions,
  type ExpectedState,
} from "../../src/control/drift.js";

const expected: ExpectedState = {
  version: 7,
  hash: "a".repeat(64),
  mode: "blocking",
  modules: { sqli: "on", xss: "on", "scanner-detection": "off" },
};

function att(over: Partial<Attestation> = {}, modules?: Record<string, string>): Attestation {
  return {
    id: "edge-1",
    tags: [],
    pid: 1,
    host: "h",
    configVersion: 7,
    configHash: "a".repeat(64),
    controlConnected: true,
    waf: {
      mode: "blocking",
      rules: 10,
      modules: Object.entries(modules ?? { sqli: "on", xss: "on", "scanner-detection": "off" }).map(
        ([name, state]) => ({ name, state, rules: 5 }),
      ),
    },
    routes: [],
    seconds: [],
    ...over,
  };
}

const NOW = 1_000_000;
function input(over: Partial<DriftInput>): DriftInput {
  return {
    gateway: "edge-1",
    attestation: att(),
    lastSeenMs: NOW - 1000,
    assignedAtMs: NOW - 60_000,
    expected,
    nowMs: NOW,
    ...over,
  };
}

const cases: { name: string; in: Partial<DriftInput>; codes: string[]; text?: RegExp }[] = [
  { name: "in line", in: {}, codes: [] },
  {
    name: "critical module off",
    in: { attestation: att({}, { sqli: "off", xss: "on" }) },
    codes: ["module_off"],
    text: /gateway edge-1: WAF module sqli is off, version 7 has it on/,
  },
  {
    name: "two modules off",
    in: { attestation: att({}, { sqli: "off", xss: "off" }) },
    codes: ["module_off", "module_off"],
  },
  {
    name: "module off that the version has off too",
    in: { attestation: att({}, { "scanner-detection": "off" }) },
    codes: [],
  },
  {
    name: "module on that the version has off is not drift",
    in: { attestation: att({}, { "scanner-detection": "on" }) },
    codes: [],
  },
  { name: "module missing from the attestation", in: { attestation: att({}, {}) }, codes: [] },
  {
    name: "mode detection-only",
    in: { attestation: att({ waf: { mode: "detection-only", rules: 1, modules: [] } }) },
    codes: ["mode"],
    text: /WAF mode is detection-only, version 7 says blocking/,
  },
  {
    name: "other version, long after assignment",
    in: { attestation: att({ configVersion: 6, lastError: "version 7 not applied: boom" }) },
    codes: ["version"],
    text: /runs config version 6, assigned 7 \(version 7 not applied: boom\)/,
  },
  {
    name: "other version while converging",
    in: { attestation: att({ configVersion: 6 }), assignedAtMs: NOW - 1000 },
    codes: [],
  },
  {
    name: "no version yet, long after",
    in: { attestation: att({ configVersion: null }) },
    codes: ["version"],
  },
  {
    name: "same version, other hash (local edit)",
    in: { attestation: att({ configHash: "b".repeat(64) }) },
    codes: ["hash"],
    text: /changed locally/,
  },
  { name: "silent 11 s", in: { lastSeenMs: NOW - 11_000 }, codes: ["silent"], text: /not attested for 11 s/ },
  { name: "silent exactly at the limit", in: { lastSeenMs: NOW - 10_000 }, codes: [] },
  { name: "silent, custom limit", in: { lastSeenMs: NOW - 3000, silentAfterMs: 2000 }, codes: ["silent"] },
  {
    name: "never attested, silent",
    in: { attestation: undefined, lastSeenMs: NOW - 20_000 },
    codes: ["silent"],
  },
  { name: "never attested, recent", in: { attestation: undefined }, codes: [] },
  { name: "nothing assigned", in: { expected: undefined }, codes: [] },
];

describe("detectDrift", () => {
  it.each(cases)("$name", (c) => {
    const reasons = detectDrift(input(c.in));
    expect(reasons.map((r) => r.code)).toEqual(c.codes);
    if (c.text) expect(reasons.map((r) => r.message).join("\n")).toMatch(c.text);
  });

  it("names the module in the reason and keys each module apart", () => {
    const r = detectDrift(input({ attestation: att({}, { sqli: "off", xss: "off" }) }));
    expect(r.map((x) => x.module)).toEqual(["sqli", "xss"]);
    expect(new Set(r.map((x) => x.key)).size).toBe(2);
  });

  it("handles a huge module list", () => {
    const modules: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) modules[`m${i}`] = "off";
    modules.sqli = "off";
    const r = detectDrift(input({ attestation: att({}, modules) }));
    expect(r.map((x) => x.module)).toEqual(["sqli"]);
  });
});

describe("driftTransitions", () => {
  const a: DriftReason = { code: "module_off", key: "module_off:sqli", message: "a", module: "sqli" };
  const b: DriftReason = { code: "silent", key: "silent", message: "b" };
  it.each([
    { name: "nothing to nothing", before: [], now: [], opened: [], resolved: [] },
    { name: "opens", before: [], now: [a], opened: ["module_off:sqli"], resolved: [] },
    { name: "same episode goes on", before: [a], now: [a], opened: [], resolved: [] },
    { name: "resolves", before: [a], now: [], opened: [], resolved: ["module_off:sqli"] },
    {
      name: "one ends, another begins",
      before: [a],
      now: [b],
      opened: ["silent"],
      resolved: ["module_off:sqli"],
    },
  ])("$name", (c) => {
    const t = driftTransitions(new Map(c.before.map((r) => [r.key, r])), c.now);
    expect(t.opened.map((r) => r.key)).toEqual(c.opened);
    expect(t.resolved.map((r) => r.key)).toEqual(c.resolved);
  });
});
