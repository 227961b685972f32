/**
 * Benchmarks of the request-path pieces of src/ratelimit: GCRA decisions for one hot key and for
 * 1,000,000 distinct keys, memory per key, RateLimit headers, client-address extraction and the
 * concurrency limiter's fast path. Medians of 5 runs.
 *
 *   node --expose-gc --import tsx bench/ratelimit/run.ts
 *
 * (`npx tsx bench/ratelimit/run.ts` also works; memory per key then prints "n/a" without gc.)
 */

import { clientIp } from "../../src/ratelimit/client-ip.js";
import { ConcurrencyLimiter } from "../../src/ratelimit/concurrency.js";
import { MemoryRateLimitStore } from "../../src/ratelimit/gcra.js";
import { rateLimitHeaders } from "../../src/ratelimit/headers.js";
import { createPolicy } from "../../src/ratelimit/rate.js";
import type { RateLimitDecision } from "../../src/ratelimit/types.js";

const RUNS = 5;
const DISTINCT = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** An IPv4-looking key, like the gateway's per-IP keys. */
function ipKey(i: number): string {
  return `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

let sink = 0; // keeps results alive so the JIT cannot drop the work

function opsPerSec(ops: number, fn: () => void): number {
  const t0 = performance.now();
  fn();
  return ops / ((performance.now() - t0) / 1000);
}

const rows: [string, string, string][] = [];
function row(name: string, samples: number[], unit: string, digits = 0): void {
  const m = median(samples);
  rows.push([name, m.toLocaleString("en-US", { maximumFractionDigits: digits }), unit]);
}

const hot = createPolicy("per-ip", "100/s", 20);
const open = createPolicy("open", "1000000000/s", 1000); // never refuses: measures the allow path

// 1. One hot key, allowed and mostly refused.
{
  const n = 5_000_000;
  const allowed: number[] = [];
  const refused: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const store = new MemoryRateLimitStore();
    allowed.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++) sink += store.consume("203.0.113.7", open, i * 1e-3).remaining;
      }),
    );
    refused.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++) sink += store.consume("hot", hot, 1_000 + i * 1e-3).retryAfterMs;
      }),
    );
  }
  row("GCRA, one hot key, allowed", allowed, "decisions/s");
  row("GCRA, one hot key, ~all refused", refused, "decisions/s");
}

// 2. 1,000,000 distinct keys: first sight (insert) and second sight (update).
{
  const keys = Array.from({ length: DISTINCT }, (_, i) => ipKey(i));
  const insert: number[] = [];
  const update: number[] = [];
  const atCap: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const store = new MemoryRateLimitStore();
    insert.push(
      opsPerSec(DISTINCT, () => {
        for (let i = 0; i < DISTINCT; i++) sink += store.consume(keys[i]!, hot, i * 1e-3).remaining;
      }),
    );
    update.push(
      opsPerSec(DISTINCT, () => {
        for (let i = 0; i < DISTINCT; i++) sink += store.consume(keys[i]!, hot, 1_000 + i * 1e-3).remaining;
      }),
    );
    // A flood of new keys against a full store: every decision evicts.
    const capped = new MemoryRateLimitStore({ maxKeys: 100_000 });
    for (let i = 0; i < 100_000; i++) capped.consume(keys[i]!, hot, 0);
    atCap.push(
      opsPerSec(DISTINCT - 100_000, () => {
        for (let i = 100_000; i < DISTINCT; i++) sink += capped.consume(keys[i]!, hot, 1).remaining;
      }),
    );
  }
  row("GCRA, 1M distinct keys, first sight", insert, "decisions/s");
  row("GCRA, 1M distinct keys, second sight", update, "decisions/s");
  row("GCRA, flood at maxKeys (evicting)", atCap, "decisions/s");
}

// 3. Memory per key: heap delta after gc / keys, key strings included (the store retains them).
// One function call per run, so the previous run's store is unreachable when `before` is taken.
function heapPerKey(collect: () => void): number {
  collect();
  collect();
  const before = process.memoryUsage().heapUsed;
  const store = new MemoryRateLimitStore();
  for (let i = 0; i < DISTINCT; i++) store.consume(ipKey(i), hot, 0);
  collect();
  collect();
  const after = process.memoryUsage().heapUsed;
  return (after - before) / store.size();
}
{
  const perKey: number[] = [];
  if (gc !== undefined) {
    for (let r = 0; r < RUNS; r++) perKey.push(heapPerKey(gc));
    row("memory per key (incl. ~12-char key)", perKey, "bytes", 1);
  } else {
    rows.push(["memory per key", "n/a", "run with node --expose-gc --import tsx"]);
  }
}

// 4. Headers, client address, concurrency fast path.
{
  const n = 2_000_000;
  const store = new MemoryRateLimitStore();
  const route = createPolicy("per-route", "6000/min", 100);
  const decisions: RateLimitDecision[] = [store.consume("a", hot, 0), store.consume("b", route, 0)];
  const refusedDecision: RateLimitDecision[] = [{ ...decisions[0]!, allowed: false, retryAfterMs: 1500 }];
  const trusted = ["10.0.0.0/8", "172.16.0.0/12", "2001:db8:feed::/48"];
  const limiter = new ConcurrencyLimiter({ limit: 1_000, maxQueue: 100 });
  const headers: number[] = [];
  const headersRefused: number[] = [];
  const ips: number[] = [];
  const permits: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    headers.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++) sink += rateLimitHeaders(decisions).RateLimit!.length;
      }),
    );
    headersRefused.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++) sink += rateLimitHeaders(refusedDecision)["Retry-After"]!.length;
      }),
    );
    ips.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++)
          sink += clientIp("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.1.2.3", trusted).length;
      }),
    );
    permits.push(
      opsPerSec(n, () => {
        for (let i = 0; i < n; i++) limiter.tryAcquire(i & 3)?.release();
      }),
    );
  }
  row("rateLimitHeaders, 2 policies, allowed", headers, "calls/s");
  row("rateLimitHeaders, refused", headersRefused, "calls/s");
  row("clientIp, 3-hop X-Forwarded-For", ips, "calls/s");
  row("ConcurrencyLimiter tryAcquire+release", permits, "pairs/s");
}

const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`rampart ratelimit bench, node ${process.version}, median of ${RUNS} runs`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${unit}`);
if (sink === 42) console.log(""); // never true in practice; reading sink keeps the work observable
