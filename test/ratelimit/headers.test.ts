import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "../../src/ratelimit/gcra.js";
import { policyItem, rateLimitHeaders, retryAfterSeconds, sfString } from "../../src/ratelimit/headers.js";
import { createPolicy } from "../../src/ratelimit/rate.js";
import type { RateLimitDecision, RateLimitPolicy } from "../../src/ratelimit/types.js";

function decision(
  policy: RateLimitPolicy,
  allowed: boolean,
  remaining: number,
  resetMs: number,
  retryAfterMs = 0,
): RateLimitDecision {
  return { allowed, policy, remaining, resetMs, retryAfterMs };
}

const perIp = createPolicy("per-ip", "100/s", 9);
const perRoute = createPolicy("per-route", "6000/min", 99);

describe("sfString", () => {
  it.each([
    ["per-ip", '"per-ip"'],
    ["", '""'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["caf\u00e9 \u{1f600}", '"caf? ??"'], // outside printable ASCII; the emoji is two UTF-16 units
    ["tab\there", '"tab?here"'],
  ])("%j -> %s", (name, expected) => {
    expect(sfString(name)).toBe(expected);
  });
});

describe("policyItem", () => {
  it.each([
    ["100/s", '"p";q=100;w=1'],
    ["6000/min", '"p";q=6000;w=60'],
    ["10/5s", '"p";q=10;w=5'],
    ["1000/h", '"p";q=1000;w=3600'],
    ["10/500ms", '"p";q=20;w=1'], // w is whole seconds: widened, q scaled
    ["10/1500ms", '"p";q=13;w=2'],
  ])("%s -> %s", (rate, expected) => {
    expect(policyItem(createPolicy("p", rate))).toBe(expected);
  });
});

describe("rateLimitHeaders", () => {
  it("no decision, no headers", () => {
    expect(rateLimitHeaders([])).toEqual({});
  });

  it.each<{ name: string; decisions: RateLimitDecision[]; expected: Record<string, string> }>([
    {
      name: "one policy, allowed",
      decisions: [decision(perIp, true, 7, 30)],
      expected: { "RateLimit-Policy": '"per-ip";q=100;w=1', RateLimit: '"per-ip";r=7;t=1' },
    },
    {
      name: "one policy, fully replenished",
      decisions: [decision(perIp, true, 9, 0)],
      expected: { "RateLimit-Policy": '"per-ip";q=100;w=1', RateLimit: '"per-ip";r=9;t=0' },
    },
    {
      name: "one policy, refused: Retry-After rounded up, t equal to it",
      decisions: [decision(perIp, false, 0, 2_500, 2_001)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1',
        RateLimit: '"per-ip";r=0;t=3',
        "Retry-After": "3",
      },
    },
    {
      name: "refused with a sub-second wait: Retry-After is at least 1",
      decisions: [decision(perIp, false, 0, 10, 0.4)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1',
        RateLimit: '"per-ip";r=0;t=1',
        "Retry-After": "1",
      },
    },
    {
      name: "two policies: both listed, RateLimit names the one with fewer remaining",
      decisions: [decision(perIp, true, 7, 30), decision(perRoute, true, 2, 59_000)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1, "per-route";q=6000;w=60',
        RateLimit: '"per-route";r=2;t=59',
      },
    },
    {
      name: "two policies with equal remaining: the longer reset wins",
      decisions: [decision(perIp, true, 2, 900), decision(perRoute, true, 2, 1_100)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1, "per-route";q=6000;w=60',
        RateLimit: '"per-route";r=2;t=2',
      },
    },
    {
      name: "a refusal beats a pass with fewer remaining",
      decisions: [decision(perIp, true, 0, 100), decision(perRoute, false, 0, 5_000, 600)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1, "per-route";q=6000;w=60',
        RateLimit: '"per-route";r=0;t=1',
        "Retry-After": "1",
      },
    },
    {
      name: "two refusals: the longer wait is announced",
      decisions: [decision(perIp, false, 0, 100, 10), decision(perRoute, false, 0, 5_000, 4_000)],
      expected: {
        "RateLimit-Policy": '"per-ip";q=100;w=1, "per-route";q=6000;w=60',
        RateLimit: '"per-route";r=0;t=4',
        "Retry-After": "4",
      },
    },
  ])("$name", ({ decisions, expected }) => {
    expect(rateLimitHeaders(decisions)).toEqual(expected);
  });

  it("matches the store's decisions end to end", () => {
    const store = new MemoryRateLimitStore();
    const p = createPolicy("per-ip", "1/s", 2);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const h = rateLimitHeaders([store.consume("1.2.3.4", p, 0)]);
      seen.push(`${h.RateLimit} ${h["Retry-After"] ?? "-"}`);
    }
    expect(seen).toEqual([
      '"per-ip";r=2;t=1 -',
      '"per-ip";r=1;t=2 -',
      '"per-ip";r=0;t=3 -',
      '"per-ip";r=0;t=1 1',
    ]);
  });

  it.each([
    [0, 1],
    [1, 1],
    [1_000, 1],
    [1_000.5, 2],
    [59_999, 60],
    [86_400_000, 86_400],
  ])("retryAfterSeconds(%d ms) = %d", (ms, s) => {
    expect(retryAfterSeconds(decision(perIp, false, 0, ms, ms))).toBe(s);
  });
});
