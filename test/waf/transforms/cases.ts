/**
 * Shared helpers for the transformation tables: every table row runs through the registry by name
 * (so a row also proves the name is registered) and the odd inputs every table gets.
 */
import { expect, it } from "vitest";
import { getTransform } from "../../../src/waf/transforms/index.js";

export type Row = readonly [input: string, expected: string];

/** Runs `rows` through the transformation registered as `name`; labels show escaped bytes. */
export function table(name: string, rows: readonly Row[]): void {
  it.each(rows.map(([input, expected]) => ({ input, expected, label: JSON.stringify(input).slice(0, 80) })))(
    `${name} $label`,
    ({ input, expected }) => {
      const fn = getTransform(name);
      expect(fn, `${name} is registered`).toBeDefined();
      expect(fn?.(input)).toBe(expected);
    },
  );
}

/** UTF-8 bytes of a JS string, as a byte string. */
export function utf8(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

/** All 256 bytes in order. */
export const ALL_BYTES = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c)).join("");

/** A 100 KB argument with a bit of everything decoders look at. */
export const HUGE = "a%41+\\x41&amp;/*c*/ ./..\0\xff\xc3\xa9 B".repeat(4000);
