/**
 * The transformations written as native regex passes must give exactly what the reference's byte
 * loops give (ports in reference.ts), on random byte strings rich in the bytes that matter.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lowercase, uppercase } from "../../../src/waf/transforms/case.js";
import { cmdLine } from "../../../src/waf/transforms/cmd-line.js";
import { removeCommentsChar } from "../../../src/waf/transforms/comments.js";
import { compressWhitespace } from "../../../src/waf/transforms/whitespace.js";
import {
  refCmdLine,
  refCompressWhitespace,
  refLowercase,
  refRemoveCommentsChar,
  refUppercase,
} from "./reference.js";

function bytesFrom(alphabet: string) {
  const special = fc.constantFrom(...alphabet);
  const anyByte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
  return fc
    .array(fc.oneof({ arbitrary: special, weight: 4 }, { arbitrary: anyByte, weight: 1 }), { maxLength: 80 })
    .map((chars) => chars.join(""));
}

const cases: Array<[string, (s: string) => string, (s: string) => string, string]> = [
  ["cmdLine", cmdLine, refCmdLine, ` ,;\t\r\n\\"'^/(aZ\x0b`],
  ["removeCommentsChar", removeCommentsChar, refRemoveCommentsChar, "/*-<!>#a"],
  ["compressWhitespace", compressWhitespace, refCompressWhitespace, " \t\n\x0b\x0c\r\xa0a"],
  ["lowercase", lowercase, refLowercase, "aZ\xc0\xc3\xd7\xde\xdf\xe9\xb5\xff"],
  ["uppercase", uppercase, refUppercase, "aZ\xc0\xc3\xd7\xde\xdf\xe9\xb5\xff\xf7"],
];

describe("regex-pass transformations match the reference byte loops", () => {
  it.each(cases)("%s", (_name, fast, reference, alphabet) => {
    fc.assert(
      fc.property(bytesFrom(alphabet), (s) => {
        expect(fast(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });
});
