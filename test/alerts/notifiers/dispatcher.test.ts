/**
 * The dispatcher against a real HTTP peer: retries with backoff on a fake clock, permanent
 * failures, per-episode failing/recovered events, per-receiver order, secrets from the
 * environment, restarts with pending rows, and the background worker on the real clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { retryDelayMs } from "../../../src/alerts/notifiers/backoff.js";
import {
  DEFAULT_RETRY,
  Dispatcher,
  type DispatcherOptions,
  dispatcherFor,
} from "../../../src/alerts/notifiers/dispatcher.js";
import { NotifierError } from "../../../src/alerts/notifiers/errors.js";
import { type ReceiversInput, receiversSchema } from "../../../src/alerts/notifiers/schema.js";
import { openStore, type Store } from "../../../src/store/store.js";
import { type HttpPeer, startHttpPeer, surgeNotification } from "./peers.js";

const root = mkdtempSync(join(tmpdir(), "rampart-notify-dispatch-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = Date.parse("2026-03-14T02:00:00.000Z");
let dir: string;
let store: Store;
let peer: HttpPeer;
let now: number;
let n = 0;

beforeEach(async () => {
  dir = join(root, `s${n++}`);
  now = T0;
  store = openStore(dir);
  peer = await startHttpPeer();
});
afterEach(async () => {
  if (store.db.open) store.close();
  await peer.close();
});

/** A dispatcher on the fake clock, with jitter fixed at its middle (delays 1.5 s, 3 s, 6 s, ...). */
function dispatcher(receivers: ReceiversInput, opts: DispatcherOptions = {}, on: Store = store): Dispatcher {
  const d = new Dispatcher(on, { now: () => now, random: () => 0.5, env: {}, ...opts });
  d.setReceivers(receiversSchema.parse(receivers));
  return d;
}

const iso = (ms: number) => new Date(ms).toISOString();
const kinds = () =>
  store.events.list({ kinds: ["notifier.failing", "notifier.recovered", "notification.failed"] });

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("retryDelayMs", () => {
  const retry = { ...DEFAULT_RETRY, initialDelayMs: 1000, maxDelayMs: 10_000 };
  it.each([
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 0.999_999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [4, 0, 4000],
    [5, 0, 5000], // 16 s nominal, capped at 10 s
    [60, 1, 10_000], // no overflow far out
  ])("after %i failures with jitter %d: %i ms", (failures, random, expected) => {
    expect(retryDelayMs(failures, retry, () => random)).toBe(expected);
  });
});

describe("delivery", () => {
  it("a peer that fails twice then accepts gets it delivered once, after 3 attempts on the backoff schedule", async () => {
    peer.script({ status: 503, body: "busy" }, { status: 502 });
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    const { id } = d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(d.get(id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastErrorCode: "NOTIFIER_PEER_FAILED",
      lastError: `receiver ops: ${peer.url} answered 503: busy`,
      nextAttemptAt: iso(T0 + 1500),
    });
    now += 1499;
    await d.flush();
    expect(peer.requests).toHaveLength(1); // not due yet
    now += 1;
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "pending", attempts: 2, nextAttemptAt: iso(T0 + 1500 + 3000) });
    now += 3000;
    await d.flush();
    expect(d.get(id)).toMatchObject({
      status: "sent",
      attempts: 3,
      doneAt: iso(T0 + 4500),
      nextAttemptAt: null,
    });
    expect(peer.requests).toHaveLength(3);
    now += 600_000;
    await d.flush();
    expect(peer.requests).toHaveLength(3);
    // Two failures are below failingAfter (3): no episode.
    expect(kinds()).toEqual([]);
  });

  it("a 4xx other than 408/429 fails the notification at once and reports the receiver failing", async () => {
    peer.script({ status: 400, body: "invalid_payload" });
    const d = dispatcher({ chat: { type: "slack", url: `${peer.url}/services/SECRET` } });
    const { id } = d.enqueue("chat", surgeNotification());
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "failed", attempts: 1, lastErrorCode: "NOTIFIER_REJECTED" });
    // The webhook's secret path is not repeated in errors.
    expect(d.get(id)?.lastError).toBe(`receiver chat: ${peer.url} answered 400: invalid_payload`);
    expect(kinds().map((e) => [e.kind, e.subject, e.data.code])).toEqual([
      ["notification.failed", `notification:${id}`, "NOTIFIER_REJECTED"],
      ["notifier.failing", "receiver:chat", "NOTIFIER_REJECTED"],
    ]);
    now += 86_400_000;
    await d.flush();
    expect(peer.requests).toHaveLength(1);
  });

  it.each([408, 429, 500, 503])("%i is retried", async (status) => {
    peer.script({ status });
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    const { id } = d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "pending", attempts: 1 });
    now += 1500;
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("waits as long as Retry-After asks when that is longer than the backoff", async () => {
    peer.script({ status: 429, headers: { "retry-after": "20" } });
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    const { id } = d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(d.get(id)?.nextAttemptAt).toBe(iso(T0 + 20_000));
  });

  it("gives up after maxAttempts with the last error and a notification.failed event", async () => {
    peer.fallback = { status: 500 };
    const d = dispatcher({ ops: { type: "webhook", url: peer.url, retry: { maxAttempts: 2 } } });
    const { id } = d.enqueue("ops", surgeNotification());
    await d.flush();
    now += 1500;
    await d.flush();
    expect(d.get(id)).toMatchObject({
      status: "failed",
      attempts: 2,
      lastError: `gave up after 2 attempts: receiver ops: ${peer.url} answered 500`,
    });
    expect(kinds().map((e) => e.kind)).toEqual(["notification.failed"]);
  });

  it("a timeout and an unreachable peer are retried with their own codes", async () => {
    peer.script("hang");
    const d = dispatcher({
      slow: { type: "webhook", url: peer.url, timeoutMs: 200 },
      gone: { type: "webhook", url: `http://127.0.0.1:${await closedPort()}/hook` },
    });
    const slow = d.enqueue("slow", surgeNotification());
    const gone = d.enqueue("gone", surgeNotification());
    await d.flush();
    expect(d.get(slow.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastErrorCode: "NOTIFIER_TIMEOUT",
    });
    expect(d.get(gone.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastErrorCode: "NOTIFIER_UNREACHABLE",
    });
    expect(d.get(gone.id)?.lastError).toMatch(
      /^receiver gone: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/,
    );
  });

  it("sends a receiver's notifications in order: a resolved never overtakes its firing", async () => {
    peer.script({ status: 503 });
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    d.enqueue("ops", surgeNotification({ title: "one" }));
    d.enqueue("ops", surgeNotification({ title: "two", status: "resolved" }));
    d.enqueue("ops", surgeNotification({ title: "three" }));
    await d.flush();
    now += 1500;
    await d.flush();
    expect(peer.requests.map((r) => r.body.title)).toEqual(["one", "one", "two", "three"]);
  });

  it("rows waiting behind a failing one expire at maxAgeMs, each with an event", async () => {
    peer.fallback = { status: 503 };
    const d = dispatcher({
      ops: { type: "webhook", url: peer.url, retry: { maxAgeMs: 60_000, maxDelayMs: 60_000 } },
    });
    const first = d.enqueue("ops", surgeNotification({ title: "one" }));
    now += 10_000;
    const second = d.enqueue("ops", surgeNotification({ title: "two" }));
    await d.flush(); // first: attempt 1
    now = T0 + 60_000;
    await d.flush(); // first expires; second is due and tried
    expect(d.get(first.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      lastErrorCode: "NOTIFIER_PEER_FAILED",
    });
    expect(d.get(first.id)?.lastError).toMatch(
      /^not delivered within 60000 ms: receiver ops: .* answered 503$/,
    );
    now = T0 + 70_000;
    await d.flush();
    expect(d.get(second.id)).toMatchObject({ status: "failed" });
    expect(peer.requests.map((r) => r.body.title)).toEqual(["one", "two"]);
    expect(kinds().filter((e) => e.kind === "notification.failed")).toHaveLength(2);
  });

  it("a row never attempted within maxAgeMs (control plane down all that time) is failed as expired", async () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url, retry: { maxAgeMs: 60_000 } } });
    const { id } = d.enqueue("ops", surgeNotification());
    now += 60_000;
    await d.flush();
    expect(d.get(id)).toMatchObject({
      status: "failed",
      attempts: 0,
      lastAttemptAt: null,
      lastErrorCode: "NOTIFIER_EXPIRED",
      lastError: "not delivered within 60000 ms: never attempted",
    });
    expect(peer.requests).toEqual([]);
  });

  it("refuses a receiver the config does not define, and stores nothing", () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    expect(() => d.enqueue("nope", surgeNotification())).toThrowError(NotifierError);
    try {
      d.enqueue("nope", surgeNotification());
    } catch (err) {
      expect((err as NotifierError).code).toBe("NOTIFIER_UNKNOWN_RECEIVER");
      expect((err as NotifierError).hint).toBe("known receivers: ops");
    }
    expect(d.list()).toEqual([]);
  });

  it("stores inside the caller's transaction: a rollback leaves no row", () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    expect(() =>
      store.db.transaction(() => {
        d.enqueue("ops", surgeNotification());
        throw new Error("the alert update failed");
      })(),
    ).toThrow("the alert update failed");
    expect(d.list()).toEqual([]);
  });

  it("refuses a notification above the size limit", () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    expect(() => d.enqueue("ops", surgeNotification({ text: "x".repeat(600 * 1024) }))).toThrowError(
      /above the limit of 524288/,
    );
  });
});

describe("receiver health", () => {
  it("one notifier.failing per episode, one notifier.recovered when it ends", async () => {
    peer.script(...Array.from({ length: 5 }, () => ({ status: 500 })));
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } }, { failingAfter: 3 });
    const { id } = d.enqueue("ops", surgeNotification());
    for (let i = 0; i < 6; i++) {
      await d.flush();
      now += 300_000;
    }
    expect(d.get(id)).toMatchObject({ status: "sent", attempts: 6 });
    const events = kinds();
    expect(events.map((e) => e.kind)).toEqual(["notifier.failing", "notifier.recovered"]);
    expect(events[0]).toMatchObject({
      severity: "error",
      source: "notifications",
      subject: "receiver:ops",
      time: iso(T0 + 2 * 300_000),
      data: { receiver: "ops", type: "webhook", code: "NOTIFIER_PEER_FAILED", consecutiveFailures: 3 },
    });
    expect(events[1]).toMatchObject({
      severity: "info",
      time: iso(T0 + 5 * 300_000),
      data: { receiver: "ops", failingSince: iso(T0 + 600_000), failedForMs: 900_000 },
    });
    // A second episode is announced again.
    peer.script({ status: 400 });
    d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(kinds().map((e) => e.kind)).toEqual([
      "notifier.failing",
      "notifier.recovered",
      "notification.failed",
      "notifier.failing",
    ]);
  });

  it("a secret's environment variable that is unset: reported at once, kept, sent once the variable is there", async () => {
    const env: Record<string, string> = {};
    const d = dispatcher({ ops: { type: "webhook", urlEnv: "OPS_WEBHOOK_URL" } }, { env });
    const { id } = d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(d.get(id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastErrorCode: "NOTIFIER_SECRET_MISSING",
      lastError: "receiver ops: environment variable OPS_WEBHOOK_URL (url) is not set",
    });
    expect(kinds().map((e) => [e.kind, e.data.code, e.data.hint])).toEqual([
      [
        "notifier.failing",
        "NOTIFIER_SECRET_MISSING",
        "set OPS_WEBHOOK_URL in the control plane's environment and restart it; pending notifications are kept",
      ],
    ]);
    env.OPS_WEBHOOK_URL = `${peer.url}/from-env`;
    now += 1500;
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(peer.requests.map((r) => r.path)).toEqual(["/from-env"]);
    expect(kinds().map((e) => e.kind)).toEqual(["notifier.failing", "notifier.recovered"]);
  });

  it("a receiver removed from the config after enqueue: its rows wait and it is reported", async () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    const { id } = d.enqueue("ops", surgeNotification());
    d.setReceivers({});
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "pending", lastErrorCode: "NOTIFIER_UNKNOWN_RECEIVER" });
    expect(kinds().map((e) => e.data.code)).toEqual(["NOTIFIER_UNKNOWN_RECEIVER"]);
    d.setReceivers(receiversSchema.parse({ ops: { type: "webhook", url: peer.url } }));
    now += 1500;
    await d.flush();
    expect(d.get(id)).toMatchObject({ status: "sent", attempts: 2 });
  });
});

describe("restart", () => {
  it("pending rows are resumed after the store is closed and reopened: each delivered exactly once", async () => {
    const receivers = { ops: { type: "webhook", url: peer.url } } as const;
    const before = dispatcher(receivers);
    for (const t of ["a", "b", "c"]) before.enqueue("ops", surgeNotification({ title: t }));
    await before.flush();
    peer.fallback = { status: 503 };
    before.enqueue("ops", surgeNotification({ title: "d" })); // tried once, fails, stays pending
    await before.flush();
    before.enqueue("ops", surgeNotification({ title: "e" })); // never tried
    store.close();

    peer.fallback = { status: 200 };
    store = openStore(dir);
    const after = dispatcherFor(store, { now: () => now, random: () => 0.5, env: {} });
    expect(dispatcherFor(store)).toBe(after);
    after.setReceivers(receiversSchema.parse(receivers));
    now += 1500;
    await after.flush();
    const delivered = peer.requests.filter((_, i) => i !== 3).map((r) => r.body.title);
    expect(delivered).toEqual(["a", "b", "c", "d", "e"]);
    expect(after.list().map((r) => [r.title, r.status, r.attempts])).toEqual([
      ["e", "sent", 1],
      ["d", "sent", 2],
      ["c", "sent", 1],
      ["b", "sent", 1],
      ["a", "sent", 1],
    ]);
  });

  it("an episode that began before a restart is not announced again after it", async () => {
    peer.fallback = { status: 500 };
    const receivers = { ops: { type: "webhook", url: peer.url } } as const;
    const before = dispatcher(receivers, { failingAfter: 1 });
    before.enqueue("ops", surgeNotification());
    await before.flush();
    store.close();
    store = openStore(dir);
    const after = dispatcher(receivers, { failingAfter: 1 });
    now += 1500;
    await after.flush();
    expect(kinds().map((e) => e.kind)).toEqual(["notifier.failing"]);
    expect(after.status().health).toEqual([
      {
        receiver: "ops",
        consecutiveFailures: 2,
        failingSince: iso(T0),
        lastError: `receiver ops: ${peer.url} answered 500`,
      },
    ]);
  });

  it("nothing is sent before the receivers are known", async () => {
    const d = dispatcher({ ops: { type: "webhook", url: peer.url } });
    d.enqueue("ops", surgeNotification());
    store.close();
    store = openStore(dir);
    const fresh = new Dispatcher(store, { now: () => now, env: {} });
    await fresh.flush();
    expect(peer.requests).toEqual([]);
    expect(fresh.status()).toMatchObject({ pending: 1, receivers: [] });
  });
});

describe("background worker", () => {
  it("delivers without flush, retries on the real clock, and a slow receiver does not hold up another", async () => {
    const slow = await startHttpPeer("hang");
    try {
      peer.script({ status: 503 }, { status: 503 });
      const d = new Dispatcher(store, { env: {} });
      d.setReceivers(
        receiversSchema.parse({
          ops: { type: "webhook", url: peer.url, retry: { initialDelayMs: 20, maxDelayMs: 50 } },
          stuck: { type: "webhook", url: slow.url, timeoutMs: 60_000 },
        }),
      );
      d.start();
      const stuck = d.enqueue("stuck", surgeNotification({ title: "stuck" }));
      await waitFor("the slow peer to get its request", () => slow.requests.length === 1);
      const { id } = d.enqueue("ops", surgeNotification());
      await waitFor("delivery to ops", () => d.get(id)?.status === "sent");
      expect(d.get(id)?.attempts).toBe(3);
      expect(peer.requests).toHaveLength(3);
      // Stopping interrupts the send under way; its row stays as it was, to be sent after a restart.
      await d.stop();
      expect(d.get(stuck.id)).toMatchObject({ status: "pending", attempts: 0, lastError: null });
      expect(d.status().running).toBe(false);
    } finally {
      await slow.close();
    }
  });
});

describe("retention", () => {
  it("prunes sent and failed rows older than the retention, never pending ones", async () => {
    peer.script({ status: 200 }, { status: 400 }, { status: 503 });
    const d = dispatcher(
      {
        a: { type: "webhook", url: peer.url },
        b: { type: "webhook", url: peer.url },
        c: { type: "webhook", url: peer.url },
      },
      { retentionMs: 3_600_000 },
    );
    d.enqueue("a", surgeNotification());
    await d.flush();
    d.enqueue("b", surgeNotification());
    await d.flush();
    const c = d.enqueue("c", surgeNotification({ groupKey: "pending" }));
    d.setReceivers({}); // c stays pending, and is not tried again
    now += 2 * 3_600_000; // past the retention, within the pending row's maxAgeMs (6 h)
    const later = dispatcher({}, { retentionMs: 3_600_000 });
    await later.flush();
    expect(later.list().map((r) => [r.id, r.status])).toEqual([[c.id, "pending"]]);
  });
});
