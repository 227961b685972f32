/**
 * The dispatcher: the durable door between alerts (and incidents) and the notifiers. enqueue()
 * writes the notification to the outbox (outbox.ts) and returns; a background worker sends what is
 * due, one notification at a time per receiver, oldest first (a "resolved" never overtakes its
 * "firing"), receivers in parallel. A failed attempt is retried with exponential backoff and
 * jitter until the receiver's retry.maxAttempts or retry.maxAgeMs, then the row is marked failed
 * and a `notification.failed` event written. A row is marked sent only after the peer accepted
 * it: delivery is at least once, and pending rows are resumed after a restart.
 *
 * A receiver that keeps failing (failingAfter consecutive failed attempts, or at once for a
 * permanent refusal or a misconfiguration such as a missing secret) raises one `notifier.failing`
 * event per episode, and `notifier.recovered` when a send succeeds again.
 */
import type { Store } from "../../store/store.js";
import type { Notification, NotificationSink } from "../types.js";
import { realSleep, retryDelayMs, type Sleep } from "./backoff.js";
import { asNotifierError, NotifierError } from "./errors.js";
import {
  type ListNotificationsOptions,
  type NotificationRecord,
  Outbox,
  type OutboxRow,
  type ReceiverHealth,
} from "./outbox.js";
import { type SendContext, sendTo } from "./registry.js";
import { type ReceiverConfig, type ReceiversConfig, type RetrySettings, retrySchema } from "./schema.js";
import type { Environment } from "./secrets.js";

/** A stored notification above this is refused at enqueue (a storm is summarised, not pasted). */
export const MAX_NOTIFICATION_BYTES = 512 * 1024;
/** Events are written with this source. */
const EVENT_SOURCE = "notifications";
/** The worker looks at the outbox at least this often, even when nothing woke it. */
const MAX_IDLE_MS = 30_000;
/** How often finished rows older than the retention are pruned. */
const PRUNE_EVERY_MS = 3_600_000;

export const DEFAULT_RETRY: RetrySettings = retrySchema.parse({});

export interface DispatcherOptions {
  /** Clock in ms since the epoch (tests pass a fake one). */
  readonly now?: () => number;
  /** How the worker waits between passes (tests pass one that returns at once). */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Where `...Env` secrets are read; process.env by default. */
  readonly env?: Environment;
  /** Consecutive failed attempts after which a receiver is reported failing. */
  readonly failingAfter?: number;
  /** Sent and failed rows are kept this long (pending rows always). */
  readonly retentionMs?: number;
}

export interface DispatcherStatus {
  readonly running: boolean;
  readonly pending: number;
  readonly receivers: readonly string[];
  readonly health: readonly ReceiverHealth[];
  /** Why the worker's last pass failed, if it did (the next pass retries). */
  readonly lastError: string | undefined;
}

/** A notification for `rampart notify test RECEIVER`: goes the same way as a real one. */
export function testNotification(receiver: string, by: string, nowMs: number): Notification {
  const at = new Date(nowMs).toISOString();
  return {
    source: "alert",
    groupKey: `test:${receiver}:${at}`,
    status: "firing",
    severity: "info",
    title: `[TEST] Rampart notification test for receiver ${receiver}`,
    text: `A test notification sent by ${by} at ${at}. If you read this, receiver ${receiver} works.`,
    alerts: [],
    commonLabels: { alertname: "RampartNotificationTest" },
    whatChanged: [],
    createdAt: at,
  };
}

export class Dispatcher implements NotificationSink {
  readonly #store: Store;
  readonly #outbox: Outbox;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #env: Environment;
  readonly #failingAfter: number;
  readonly #retentionMs: number;
  #receivers: ReceiversConfig | undefined;
  #refreshReceivers: (() => void) | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  /** Aborted to wake the worker early (enqueue, new receivers, stop). */
  #wake = new AbortController();
  /** Aborted by stop(): sends under way end as NOTIFIER_INTERRUPTED and stay pending. */
  #stopping = new AbortController();
  /** The attempt under way per receiver: one at a time each, so their rows go out in order. */
  readonly #inFlight = new Map<string, Promise<void>>();
  #lastPruneMs = Number.NEGATIVE_INFINITY;
  #lastError: string | undefined;

  constructor(store: Store, opts: DispatcherOptions = {}) {
    this.#store = store;
    this.#outbox = new Outbox(store.db);
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? realSleep;
    this.#random = opts.random ?? Math.random;
    this.#env = opts.env ?? process.env;
    this.#failingAfter = opts.failingAfter ?? 3;
    this.#retentionMs = opts.retentionMs ?? 7 * 86_400_000;
  }

  /** The receivers of the live config; until the first call, nothing is sent (rows wait). */
  setReceivers(receivers: ReceiversConfig): void {
    this.#receivers = receivers;
    this.#wake.abort();
  }

  /**
   * Where setReceivers() is fed from (live.ts): called before an unknown receiver is refused, so
   * that a config applied a moment ago counts before its periodic reading.
   */
  setReceiverSource(refresh: (() => void) | undefined): void {
    this.#refreshReceivers = refresh;
  }

  receiver(name: string): ReceiverConfig | undefined {
    const r = this.#receivers;
    return r !== undefined && Object.hasOwn(r, name) ? r[name] : undefined;
  }

  /**
   * Stores the notification for `receiver` (one transaction, so a caller's own transaction may
   * include it) and wakes the worker. Throws NOTIFIER_UNKNOWN_RECEIVER for a receiver that the
   * config does not define and NOTIFIER_INVALID for one that cannot be stored.
   */
  enqueue(receiver: string, notification: Notification): NotificationRecord {
    if (this.receiver(receiver) === undefined) this.#refreshReceivers?.();
    if (this.receiver(receiver) === undefined) {
      const known = Object.keys(this.#receivers ?? {});
      throw new NotifierError("NOTIFIER_UNKNOWN_RECEIVER", `no receiver named ${JSON.stringify(receiver)}`, {
        retryable: false,
        misconfigured: true,
        hint:
          known.length === 0
            ? "define receivers under alerts.receivers in the config"
            : `known receivers: ${known.join(", ")}`,
      });
    }
    const { id: _assignedWhenStored, ...rest } = notification;
    let body: string | undefined;
    try {
      body = JSON.stringify(rest);
    } catch (err) {
      throw new NotifierError("NOTIFIER_INVALID", `the notification is not JSON: ${(err as Error).message}`, {
        retryable: false,
        cause: err,
      });
    }
    const bytes = Buffer.byteLength(body ?? "", "utf8");
    if (body === undefined || bytes > MAX_NOTIFICATION_BYTES) {
      throw new NotifierError(
        "NOTIFIER_INVALID",
        `the notification is ${bytes} bytes, above the limit of ${MAX_NOTIFICATION_BYTES}`,
        { retryable: false, hint: "list fewer alerts in one notification" },
      );
    }
    const nowIso = new Date(this.#now()).toISOString();
    const id = this.#store.db.transaction(() => this.#outbox.insert(receiver, notification, body, nowIso))();
    this.#wake.abort();
    // The row was just written in this process: it exists.
    return this.#outbox.get(id) as NotificationRecord;
  }

  /** Recent outbox rows, newest first. */
  list(opts: ListNotificationsOptions = {}): NotificationRecord[] {
    return this.#outbox.list(opts);
  }

  get(id: number): NotificationRecord | undefined {
    return this.#outbox.get(id);
  }

  status(): DispatcherStatus {
    return {
      running: this.#running,
      pending: this.#outbox.pendingCount(),
      receivers: Object.keys(this.#receivers ?? {}),
      health: this.#outbox.allHealth(),
      lastError: this.#lastError,
    };
  }

  /** Starts the background worker (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#loop = this.#run();
  }

  /** Stops the worker; sends under way are interrupted and their rows stay pending. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopping.abort();
    this.#wake.abort();
    await this.#loop;
    this.#loop = undefined;
    await Promise.allSettled(this.#inFlight.values());
  }

  /**
   * Sends everything due now, each receiver's rows in order, until nothing due is left (rows
   * scheduled for later stay). For tests and for callers that must know delivery was attempted.
   */
  async flush(): Promise<void> {
    for (;;) {
      const started = this.#launchDue();
      if (started === 0 && this.#inFlight.size === 0) return;
      await Promise.all(this.#inFlight.values());
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (!this.#store.db.open) {
        // A store closed under us (shutdown in progress) ends the worker.
        this.#running = false;
        break;
      }
      if (this.#wake.signal.aborted) this.#wake = new AbortController();
      try {
        this.#launchDue();
        this.#lastError = undefined;
      } catch (err) {
        this.#lastError = (err as Error).message;
      }
      await this.#sleep(this.#idleMs(), this.#wake.signal);
    }
    await Promise.allSettled(this.#inFlight.values());
  }

  /** Until the earliest due head row of a receiver that is not busy, at most MAX_IDLE_MS. */
  #idleMs(): number {
    if (!this.#store.db.open || this.#receivers === undefined) return MAX_IDLE_MS;
    const now = this.#now();
    let wait = MAX_IDLE_MS;
    for (const head of this.#outbox.heads()) {
      if (this.#inFlight.has(head.receiver) || head.nextAttemptAt === null) continue;
      wait = Math.min(wait, Date.parse(head.nextAttemptAt) - now);
    }
    return Math.max(0, wait);
  }

  /**
   * Starts one attempt for each receiver whose oldest pending row is due and that has no attempt
   * under way (a slow receiver holds up only its own rows), and gives up rows past their maximum
   * age. Returns how many rows it started or gave up.
   */
  #launchDue(): number {
    const receivers = this.#receivers;
    if (receivers === undefined || !this.#store.db.open || this.#stopping.signal.aborted) return 0;
    const now = this.#now();
    this.#prune(now);
    let count = 0;
    for (const row of this.#outbox.heads()) {
      if (this.#inFlight.has(row.receiver)) continue;
      const config = this.receiver(row.receiver);
      const retry = config?.retry ?? DEFAULT_RETRY;
      if (now - Date.parse(row.createdAt) >= retry.maxAgeMs) {
        const why = `not delivered within ${retry.maxAgeMs} ms: ${row.lastError ?? "never attempted"}`;
        this.#store.db.transaction(() =>
          this.#giveUp(row, null, now, why, row.lastErrorCode ?? "NOTIFIER_EXPIRED"),
        )();
        count++;
        continue;
      }
      if (Date.parse(row.nextAttemptAt ?? row.createdAt) > now) continue;
      const attempt = this.#attempt(row, config, retry)
        .catch((err: unknown) => {
          this.#lastError = (err as Error).message;
        })
        .finally(() => {
          this.#inFlight.delete(row.receiver);
          this.#wake.abort();
        });
      this.#inFlight.set(row.receiver, attempt);
      count++;
    }
    return count;
  }

  async #attempt(row: OutboxRow, config: ReceiverConfig | undefined, retry: RetrySettings): Promise<void> {
    const ctx: SendContext = { receiver: row.receiver, signal: this.#stopping.signal, env: this.#env };
    let failure: NotifierError | undefined;
    try {
      if (config === undefined) {
        throw new NotifierError(
          "NOTIFIER_UNKNOWN_RECEIVER",
          `receiver ${row.receiver} is no longer in the config`,
          {
            retryable: true,
            misconfigured: true,
            hint: `define alerts.receivers.${row.receiver} again, or let the row expire`,
          },
        );
      }
      await sendTo(row.notification, config, ctx);
    } catch (err) {
      failure = asNotifierError(err);
    }
    // A send cut by stop() is neither a success nor the peer's failure: the row stays as it was.
    if (failure?.code === "NOTIFIER_INTERRUPTED" || !this.#store.db.open) return;
    const now = this.#now();
    const nowIso = new Date(now).toISOString();
    const attempts = row.attempts + 1;
    if (failure === undefined) {
      this.#store.db.transaction(() => {
        this.#outbox.markSent(row.id, attempts, nowIso);
        this.#recordSuccess(row.receiver, config, nowIso);
      })();
      return;
    }
    const message = failure.message;
    this.#store.db.transaction(() => {
      const outOfTries = attempts >= retry.maxAttempts;
      if (!failure.retryable || outOfTries) {
        const why = failure.retryable ? `gave up after ${attempts} attempts: ${message}` : message;
        this.#giveUp(row, nowIso, now, why, failure.code, attempts);
      } else {
        const backoff = retryDelayMs(attempts, retry, this.#random);
        const asked = Math.min(failure.retryAfterMs ?? 0, retry.maxDelayMs);
        const next = new Date(now + Math.max(backoff, asked)).toISOString();
        this.#outbox.markRetry(row.id, attempts, nowIso, next, message, failure.code);
      }
      this.#recordFailure(row.receiver, config, failure, nowIso);
    })();
  }

  #giveUp(
    row: OutboxRow,
    attemptedAt: string | null,
    now: number,
    why: string,
    code: string,
    attempts = row.attempts,
  ): void {
    const nowIso = new Date(now).toISOString();
    this.#outbox.markFailed(row.id, attempts, attemptedAt, nowIso, why, code);
    this.#store.events.append({
      kind: "notification.failed",
      severity: "warning",
      source: EVENT_SOURCE,
      subject: `notification:${row.id}`,
      time: new Date(now),
      data: {
        id: row.id,
        receiver: row.receiver,
        groupKey: row.groupKey,
        title: row.title,
        attempts,
        code,
        error: why,
      },
    });
  }

  #recordSuccess(receiver: string, config: ReceiverConfig | undefined, nowIso: string): void {
    const health = this.#outbox.health(receiver);
    if (health.failingSince !== null) {
      this.#store.events.append({
        kind: "notifier.recovered",
        severity: "info",
        source: EVENT_SOURCE,
        subject: `receiver:${receiver}`,
        time: new Date(nowIso),
        data: {
          receiver,
          type: config?.type ?? null,
          failingSince: health.failingSince,
          failedForMs: Date.parse(nowIso) - Date.parse(health.failingSince),
        },
      });
    }
    if (health.consecutiveFailures !== 0 || health.failingSince !== null) {
      this.#outbox.setHealth(
        { receiver, consecutiveFailures: 0, failingSince: null, lastError: health.lastError },
        nowIso,
      );
    }
  }

  #recordFailure(
    receiver: string,
    config: ReceiverConfig | undefined,
    failure: NotifierError,
    nowIso: string,
  ): void {
    const health = this.#outbox.health(receiver);
    const consecutive = health.consecutiveFailures + 1;
    const startsEpisode =
      health.failingSince === null &&
      (consecutive >= this.#failingAfter || !failure.retryable || failure.misconfigured);
    if (startsEpisode) {
      this.#store.events.append({
        kind: "notifier.failing",
        severity: "error",
        source: EVENT_SOURCE,
        subject: `receiver:${receiver}`,
        time: new Date(nowIso),
        data: {
          receiver,
          type: config?.type ?? null,
          code: failure.code,
          error: failure.message,
          consecutiveFailures: consecutive,
          ...(failure.hint === undefined ? {} : { hint: failure.hint }),
        },
      });
    }
    this.#outbox.setHealth(
      {
        receiver,
        consecutiveFailures: consecutive,
        failingSince: startsEpisode ? nowIso : health.failingSince,
        lastError: failure.message,
      },
      nowIso,
    );
  }

  #prune(now: number): void {
    if (now - this.#lastPruneMs < PRUNE_EVERY_MS) return;
    this.#lastPruneMs = now;
    this.#outbox.prune(new Date(now - this.#retentionMs).toISOString());
  }
}

const dispatchers = new WeakMap<Store, Dispatcher>();

/** The dispatcher of a store (one per control plane process), created on first use. */
export function dispatcherFor(store: Store, opts?: DispatcherOptions): Dispatcher {
  let d = dispatchers.get(store);
  if (d === undefined) {
    d = new Dispatcher(store, opts);
    dispatchers.set(store, d);
  }
  return d;
}
