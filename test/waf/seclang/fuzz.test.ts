/**
 * Property: whatever text it gets, the parser returns statements or throws a WafError, and never
 * hangs. Inputs are random SecLang-flavoured text and CRS lines with random damage. Each property
 * runs for a bounded time (about 3 s in all).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { parseActions } from "../../../src/waf/seclang/actions.js";
import { parseOperator } from "../../../src/waf/seclang/operator.js";
import { parseSecLang, type SecLangHost } from "../../../src/waf/seclang/parser.js";
import { parseVariables } from "../../../src/waf/seclang/variables.js";
import { crsDir, hasCrs } from "../../support/shared.js";

/** Includes resolve to nothing: an Include line must end in WafError too. */
const emptyHost: SecLangHost = {
  readFile(path) {
    throw new Error(`no file ${path}`);
  },
  glob: () => [],
};

/** Runs `fn`; anything thrown must be a WafError. A single input must not take long (no hang). */
function onlyWafErrors(fn: () => unknown): void {
  const t = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WafError)) throw e;
    expect(e.code).toMatch(/^WAF_/);
  }
  expect(performance.now() - t).toBeLessThan(500);
}

const pieces = [
  "SecRule ",
  "SecAction ",
  "SecMarker ",
  "SecRuleUpdateTargetById 1 ",
  "SecDefaultAction ",
  "Include ",
  "secrule ",
  "ARGS",
  "ARGS:",
  "XML:/*",
  "TX:'/a/'",
  "!",
  "&",
  "|",
  ":",
  "/",
  "@rx ",
  "@",
  '"',
  "'",
  "\\",
  "\\\n",
  "\\\r\n",
  "\n",
  "\r\n",
  "#",
  " ",
  "\t",
  ",",
  "id:1",
  "msg:'",
  "setvar:tx.a=+1",
  "%{tx.x}",
  "\x00",
  "\xff",
  "\xa0",
  "a",
  "0",
];

const seclangish = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(""));
const bytes = fc
  .array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 })
  .map((a) => String.fromCharCode(...a));

const TIME = { interruptAfterTimeLimit: 600, numRuns: 1_000_000 } as const;

describe("fuzz: the parser only ever throws WafError", () => {
  it("on random SecLang-flavoured text and random bytes", () => {
    fc.assert(
      fc.property(fc.oneof(seclangish, bytes), (text) => {
        onlyWafErrors(() => parseSecLang(text, "fuzz.conf", emptyHost));
      }),
      TIME,
    );
  });

  it("parseVariables, parseOperator and parseActions on their own", () => {
    const loc = { file: "fuzz.conf", line: 1 };
    fc.assert(
      fc.property(fc.oneof(seclangish, bytes), (text) => {
        onlyWafErrors(() => parseVariables(text, loc));
        onlyWafErrors(() => parseOperator(text, loc));
        onlyWafErrors(() => parseActions(text, loc));
      }),
      TIME,
    );
  });

  describe.skipIf(!hasCrs)("on CRS rules with random damage", () => {
    const lines = hasCrs
      ? readdirSync(join(crsDir, "rules"))
          .filter((f) => f.endsWith(".conf"))
          .flatMap((f) => readFileSync(join(crsDir, "rules", f), "latin1").split("\n"))
      : [];
    // Windows of a few physical lines, so continuations and multi-line rules get cut and mixed;
    // most start where a directive starts, so that damage lands inside rules, not before them.
    const starts = lines.flatMap((l, k) => (/^\s*Sec/.test(l) ? [k] : []));
    const window = fc
      .tuple(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...(starts.length > 0 ? starts : [0])) },
          { weight: 1, arbitrary: fc.nat({ max: Math.max(0, lines.length - 1) }) },
        ),
        fc.integer({ min: 1, max: 12 }),
      )
      .map(([at, n]) => lines.slice(at, at + n).join("\n"));
    const mutation = fc.tuple(
      fc.constantFrom("insert", "delete", "duplicate", "truncate", "swapQuotes"),
      fc.nat(),
      fc.nat({ max: 40 }),
      fc.constantFrom(...pieces),
    );
    const damaged = fc.tuple(window, fc.array(mutation, { maxLength: 4 })).map(([text, muts]) => {
      let t = text;
      for (const [kind, pos, len, piece] of muts) {
        const at = t.length === 0 ? 0 : pos % t.length;
        if (kind === "insert") t = t.slice(0, at) + piece + t.slice(at);
        else if (kind === "delete") t = t.slice(0, at) + t.slice(at + len);
        else if (kind === "duplicate") t = t.slice(0, at + len) + t.slice(at);
        else if (kind === "truncate") t = t.slice(0, at);
        else t = t.replaceAll('"', "\u0001").replaceAll("'", '"').replaceAll("\u0001", "'");
      }
      return t;
    });

    it("never throws anything but WafError", () => {
      expect(lines.length).toBeGreaterThan(1000);
      fc.assert(
        fc.property(damaged, (text) => {
          onlyWafErrors(() => parseSecLang(text, "fuzz.conf", emptyHost));
        }),
        { ...TIME, interruptAfterTimeLimit: 1800 },
      );
    });
  });
});
