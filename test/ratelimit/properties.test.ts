/**
 * Property tests: GCRA never lets more through than its definition allows, and the CIDR matcher and
 * address formatter agree with independent implementations (node:net BlockList, WHATWG URL).
 */
import { BlockList } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CidrSet, normalizeIp } from "../../src/ratelimit/cidr.js";
import { MemoryRateLimitStore } from "../../src/ratelimit/gcra.js";
import { createPolicy } from "../../src/ratelimit/rate.js";

describe("GCRA properties", () => {
  it("in any interval of length d, at most burst + 1 + d / T requests pass", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }),
        (rate, periodMs, burst, gaps) => {
          const policy = createPolicy("p", { rate, periodMs }, burst);
          const interval = periodMs / rate;
          const store = new MemoryRateLimitStore();
          const passed: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const d = store.consume("k", policy, now);
            if (d.allowed) passed.push(now);
            else expect(d.retryAfterMs).toBeGreaterThan(0);
            expect(d.remaining).toBeGreaterThanOrEqual(0);
            expect(d.remaining).toBeLessThanOrEqual(burst);
          }
          for (let i = 0; i < passed.length; i++) {
            for (let j = i; j < passed.length; j++) {
              const span = passed[j]! - passed[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + 1 + Math.floor(span / interval + 1e-9));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a refused request passes once retryAfterMs has elapsed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 100, max: 10_000 }),
        fc.integer({ min: 0, max: 5 }),
        (rate, periodMs, burst) => {
          const policy = createPolicy("p", { rate, periodMs }, burst);
          // Two stores driven alike: one probes just before the wait ends, one just at its end.
          const early = new MemoryRateLimitStore();
          const onTime = new MemoryRateLimitStore();
          let d = early.consume("k", policy, 0);
          onTime.consume("k", policy, 0);
          while (d.allowed) {
            d = early.consume("k", policy, 0);
            onTime.consume("k", policy, 0);
          }
          expect(early.consume("k", policy, d.retryAfterMs - 0.01).allowed).toBe(false);
          expect(onTime.consume("k", policy, d.retryAfterMs).allowed).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
const v6Groups = fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 });
const v6 = v6Groups
  .filter((g) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)) // mapped: covered separately
  .map((g) => g.map((x) => x.toString(16)).join(":"));

describe("CIDR matching agrees with node:net BlockList", () => {
  it("IPv4 blocks, plain and IPv4-mapped addresses", () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), v4, fc.boolean(), (net, bits, addr, mapped) => {
        const list = new BlockList();
        list.addSubnet(net, bits, "ipv4");
        const text = mapped ? `::ffff:${addr}` : addr;
        expect(new CidrSet([`${net}/${bits}`]).has(text)).toBe(list.check(text, mapped ? "ipv6" : "ipv4"));
      }),
      { numRuns: 2_000 },
    );
  });

  it("IPv6 blocks", () => {
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 128 }), v6, fc.boolean(), (net, bits, addr, near) => {
        // Half the time derive the address from the network so matches are common.
        const text = near
          ? `${net.split(":").slice(0, 4).join(":")}:${addr.split(":").slice(4).join(":")}`
          : addr;
        const list = new BlockList();
        list.addSubnet(net, bits, "ipv6");
        expect(new CidrSet([`${net}/${bits}`]).has(text)).toBe(list.check(text, "ipv6"));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("normalizeIp agrees with the WHATWG URL host serializer (RFC 5952 form)", () => {
  it("IPv6 text in any spelling", () => {
    fc.assert(
      fc.property(v6Groups, fc.boolean(), (groups, upper) => {
        if (groups.slice(0, 5).every((x) => x === 0) && groups[5] === 0xffff) return; // printed dotted here
        let text = groups.map((x) => x.toString(16).padStart(4, "0")).join(":");
        if (upper) text = text.toUpperCase();
        const expected = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        expect(normalizeIp(text)).toBe(expected);
        expect(normalizeIp(expected)).toBe(expected); // and its own output round-trips
      }),
      { numRuns: 2_000 },
    );
  });
});
