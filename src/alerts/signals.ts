/**
 * Open drift episodes from the event log, as signals for the config-drift and gateway-down rules.
 * The fleet (src/control/fleet.ts) writes `drift` when an episode begins and `drift.resolved` when it
 * ends, one per gateway and reason code (and module); a silent gateway is the code "silent".
 */
import type { StoredEvent } from "../store/events.js";
import type { Signal } from "./evaluator.js";

export const DRIFT_EVENT_KINDS = ["drift", "drift.resolved"] as const;

interface Episode {
  readonly gateway: string;
  readonly code: string;
  readonly module: string | undefined;
  readonly reason: string;
}

export class DriftEpisodes {
  readonly #open = new Map<string, Episode>();

  /** Takes one event (others than drift kinds are ignored), in log order. */
  apply(e: StoredEvent): void {
    if (e.kind !== "drift" && e.kind !== "drift.resolved") return;
    const gateway = typeof e.data.gateway === "string" ? e.data.gateway : undefined;
    const code = typeof e.data.code === "string" ? e.data.code : undefined;
    if (gateway === undefined || code === undefined) return;
    const module = typeof e.data.module === "string" ? e.data.module : undefined;
    const key = JSON.stringify([gateway, code, module ?? null]);
    if (e.kind === "drift.resolved") this.#open.delete(key);
    else {
      const reason = typeof e.data.reason === "string" ? e.data.reason : code;
      this.#open.set(key, { gateway, code, module, reason });
    }
  }

  /** One signal per open episode: silent gateways for gateway-down, the rest for config-drift. */
  signals(): Signal[] {
    return [...this.#open.values()].map((ep) =>
      ep.code === "silent"
        ? { signal: "gateway-silent", labels: { gateway: ep.gateway }, reason: ep.reason }
        : {
            signal: "drift",
            labels: {
              gateway: ep.gateway,
              drift: ep.code,
              ...(ep.module === undefined ? {} : { module: ep.module }),
            },
            reason: ep.reason,
          },
    );
  }
}
