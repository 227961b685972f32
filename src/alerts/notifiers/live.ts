/**
 * Keeps the dispatcher's receivers equal to the live config's `alerts.receivers`: the latest
 * stored version, read from its canonical JSON (the validated config with defaults, so no YAML is
 * parsed here) and checked again with receiversSchema. A version whose receivers no longer
 * validate leaves the previous receivers in place, with the reason in `lastError`. The check is
 * one indexed query per period; the config is read only when a new version appears.
 */
import type { Store } from "../../store/store.js";
import type { ConfigVersion } from "../../store/versions.js";
import type { Dispatcher } from "./dispatcher.js";
import { type ReceiversConfig, receiversSchema } from "./schema.js";

/** The receivers a stored version defines ({} when it has no alerts section); throws if invalid. */
export function receiversOfVersion(version: ConfigVersion): ReceiversConfig {
  const config = JSON.parse(version.canonical) as { alerts?: { receivers?: unknown } };
  const parsed = receiversSchema.safeParse(config.alerts?.receivers ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `version ${version.id}: alerts.receivers.${first?.path.join(".") ?? ""}: ${first?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

export interface LiveReceivers {
  /** Reads the latest version now if it changed since the last look. */
  refresh(): void;
  stop(): void;
  /** The version the receivers come from; null before the first apply. */
  readonly version: number | null | undefined;
  readonly lastError: string | undefined;
}

export function followLiveReceivers(store: Store, dispatcher: Dispatcher, periodMs = 1000): LiveReceivers {
  /** The latest version id last read; null: there was none; undefined: not looked yet. */
  let seen: number | null | undefined;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const live: LiveReceivers = {
    refresh() {
      if (!store.db.open) return;
      const latest = store.versions.list({ limit: 1 })[0]?.id ?? null;
      if (latest === seen) return;
      seen = latest;
      const version = latest === null ? undefined : store.versions.get(latest);
      try {
        dispatcher.setReceivers(version === undefined ? {} : receiversOfVersion(version));
        lastError = undefined;
      } catch (err) {
        lastError = (err as Error).message;
      }
    },
    stop() {
      dispatcher.setReceiverSource(undefined);
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    get version() {
      return seen;
    },
    get lastError() {
      return lastError;
    },
  };
  live.refresh();
  dispatcher.setReceiverSource(() => live.refresh());
  timer = setInterval(() => {
    try {
      live.refresh();
    } catch (err) {
      // A store closing under us ends nothing else; the next period tries again.
      lastError = (err as Error).message;
    }
  }, periodMs);
  timer.unref();
  return live;
}
