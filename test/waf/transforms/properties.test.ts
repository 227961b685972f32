/**
 * Properties every registered transformation must have, whatever the input: it never throws, its
 * output is a byte string (every char 0–255), and it is deterministic.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getTransform, transformNames } from "../../../src/waf/transforms/index.js";
import { HUGE } from "./cases.js";

/** Byte strings biased towards the bytes the decoders look at. */
const special = fc.constantFrom(..."%uU+\\xX&#;/*-<!>.0123456789abcdefABCDEF \t\r\n\0=^'\"");
const anyByte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const byteString = fc
  .array(fc.oneof({ arbitrary: special, weight: 3 }, { arbitrary: anyByte, weight: 2 }), { maxLength: 64 })
  .map((chars) => chars.join(""));

function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return false;
  return true;
}

describe("every transformation", () => {
  const names = transformNames();

  it("covers the whole registry", () => {
    expect(names.length).toBeGreaterThanOrEqual(38);
  });

  it.each(names)("%s never throws and always returns bytes", (name) => {
    const fn = getTransform(name);
    if (!fn) throw new Error(`${name} is not registered`);
    fc.assert(
      fc.property(byteString, (s) => {
        const out = fn(s);
        expect(typeof out).toBe("string");
        expect(isByteString(out)).toBe(true);
        expect(fn(s)).toBe(out);
      }),
      { numRuns: 300 },
    );
  });

  it.each(names)("%s handles 100 KB and every byte value", (name) => {
    const fn = getTransform(name);
    if (!fn) throw new Error(`${name} is not registered`);
    const everyByte = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c)).join("");
    for (const s of [HUGE, everyByte, "%", "\\", "&", "&#x", "%u", "/*", "\0"]) {
      expect(isByteString(fn(s))).toBe(true);
    }
  });
});
