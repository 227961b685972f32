/**
 * Drift: what a gateway attests it really runs, compared with what the control plane assigned to
 * it. Pure: data in, reasons out; the fleet registry (fleet.ts) turns reasons into `drift` and
 * `drift.resolved` events, once per episode.
 *
 * This is the check the postmortem (seed/postmortem.md) lacked: an update switched the WAF's
 * critical modules off and nothing said so. A module the assigned version has on but the gateway
 * reports off is named, with the gateway, in the reason.
 */

/** Counters of one second, overall or for one route, as a gateway attests them (src/gateway/seconds.ts). */
export interface AttestedCounts {
  readonly requests: number;
  readonly s5xx: number;
  readonly blocked: number;
  readonly p99Ms: number;
  // For the monitor (src/monitor/series); optional, so that a gateway of an older build still attests.
  readonly s2xx?: number;
  readonly s4xx?: number;
  readonly rateLimited?: number;
  readonly shed?: number;
  readonly p50Ms?: number;
  /** Latency histogram, [bucket, count, ...] (src/monitor/series/latency.ts). */
  readonly latency?: readonly number[];
  /** WAF blocks by the module of the rule family that blocked ("other" when none is known). */
  readonly waf?: Readonly<Record<string, number>>;
  /** HyperLogLog sketches (src/monitor/series/hll.ts) of all clients and of clients that got a
   * 5xx, a WAF block, a 429 or a shed answer. */
  readonly clients?: string;
  readonly failedClients?: string;
}

/** One second of traffic as a gateway attests it: overall, and per route for the monitor. */
export interface AttestedSecond extends AttestedCounts {
  readonly t: number;
  readonly routes?: Readonly<Record<string, AttestedCounts>>;
}

/** What a gateway POSTs to /api/v1/fleet/gateways/:id/attest every couple of seconds. */
export interface Attestation {
  readonly id: string;
  readonly tags: readonly string[];
  readonly pid: number;
  readonly host: string;
  /** Addresses the gateway serves on (for people and tests). */
  readonly listen?: string;
  readonly admin?: string;
  /** The version the gateway runs (null: none yet) and the hash of the config it really loaded. */
  readonly configVersion: number | null;
  readonly configHash: string | null;
  /** Whether the control plane was reachable at the last poll (a gateway may attest after a gap). */
  readonly controlConnected: boolean;
  /** Why the last assigned version was not applied, if it was not. */
  readonly lastError?: string;
  readonly waf: {
    readonly mode: string;
    readonly ruleSetHash?: string;
    readonly rules: number;
    readonly modules: ReadonlyArray<{
      readonly name: string;
      readonly state: string;
      readonly rules: number;
    }>;
  };
  readonly routes: ReadonlyArray<{
    readonly name: string;
    readonly upstream: string;
    readonly rateLimits: ReadonlyArray<{
      readonly name: string;
      readonly rate: string;
      readonly burst: number;
    }>;
  }>;
  /** Completed seconds with traffic since (about) the previous attestation. */
  readonly seconds: readonly AttestedSecond[];
  /** The last second (Unix s) whose counters are complete in `seconds`: the monitor closes a
   * second once every live gateway has reported through it (a missing second was idle). */
  readonly through?: number;
}

/** What the gateway should run: from the assigned version's config. */
export interface ExpectedState {
  readonly version: number;
  readonly hash: string;
  readonly mode: string;
  /** Effective module states of the version (a module the config does not name is on). */
  readonly modules: Readonly<Record<string, "on" | "off">>;
}

export type DriftCode = "module_off" | "mode" | "version" | "hash" | "silent";

export interface DriftReason {
  readonly code: DriftCode;
  /** Stable within an episode: the same problem gives the same key at each check. */
  readonly key: string;
  readonly message: string;
  readonly module?: string;
}

export interface DriftInput {
  readonly gateway: string;
  readonly attestation: Attestation | undefined;
  /** When the last attestation arrived (ms since epoch). */
  readonly lastSeenMs: number;
  /** When the gateway was assigned `expected` (ms since epoch): a version change gets a grace period. */
  readonly assignedAtMs: number;
  readonly expected: ExpectedState | undefined;
  readonly nowMs: number;
  /** Silent for longer than this is drift (default 10 s). */
  readonly silentAfterMs?: number;
  /** How long a gateway may take to converge on a newly assigned version (default 5 s). */
  readonly convergeMs?: number;
}

export const DEFAULT_SILENT_AFTER_MS = 10_000;
export const DEFAULT_CONVERGE_MS = 5_000;

/** Every way the gateway differs from what it should run; empty when it is in line. */
export function detectDrift(input: DriftInput): DriftReason[] {
  const { gateway: gw, attestation: a, expected: e, nowMs } = input;
  const out: DriftReason[] = [];
  const silentAfter = input.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS;
  const silentFor = nowMs - input.lastSeenMs;
  if (silentFor > silentAfter) {
    out.push({
      code: "silent",
      key: "silent",
      message: `gateway ${gw} has not attested for ${Math.round(silentFor / 1000)} s (limit ${silentAfter / 1000} s)`,
    });
  }
  if (a === undefined || e === undefined) return out;

  // Module and mode checks hold whatever version runs: a critical module off is never "converging".
  const live = new Map(a.waf.modules.map((m) => [m.name, m.state]));
  for (const [name, want] of Object.entries(e.modules)) {
    const got = live.get(name);
    if (want === "on" && got === "off") {
      out.push({
        code: "module_off",
        key: `module_off:${name}`,
        module: name,
        message: `gateway ${gw}: WAF module ${name} is off, version ${e.version} has it on`,
      });
    }
  }
  if (a.waf.mode !== e.mode) {
    out.push({
      code: "mode",
      key: `mode:${a.waf.mode}`,
      message: `gateway ${gw}: WAF mode is ${a.waf.mode}, version ${e.version} says ${e.mode}`,
    });
  }
  const converging = nowMs - input.assignedAtMs <= (input.convergeMs ?? DEFAULT_CONVERGE_MS);
  if (a.configVersion !== e.version) {
    if (!converging) {
      out.push({
        code: "version",
        key: `version:${a.configVersion ?? "none"}`,
        message: `gateway ${gw} runs config version ${a.configVersion ?? "none"}, assigned ${e.version}${
          a.lastError ? ` (${a.lastError})` : ""
        }`,
      });
    }
  } else if (a.configHash !== e.hash) {
    out.push({
      code: "hash",
      key: "hash",
      message: `gateway ${gw} runs version ${e.version} with hash ${short(a.configHash)}, expected ${short(e.hash)}: its live config was changed locally`,
    });
  }
  return out;
}

function short(hash: string | null): string {
  return hash === null ? "none" : hash.slice(0, 12);
}

/** Episodes that begin and end between two checks, by key. */
export function driftTransitions(
  before: ReadonlyMap<string, DriftReason>,
  now: readonly DriftReason[],
): { opened: DriftReason[]; resolved: DriftReason[] } {
  const keys = new Set(now.map((r) => r.key));
  return {
    opened: now.filter((r) => !before.has(r.key)),
    resolved: [...before.values()].filter((r) => !keys.has(r.key)),
  };
}
