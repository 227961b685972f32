/** Properties over random input: the path parser only ever fails with PathSyntaxError, user regex checks never hang. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathSyntaxError, parsePath, resolvePath } from "../../../src/config/policies/path.js";
import { unsafeRegexReason } from "../../../src/config/policies/user.js";
import { cpuTimeMs } from "../../support/cpu-time.js";

describe("path parser on random text", () => {
  it("returns steps or throws PathSyntaxError, nothing else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z.[\]*=0-9"]{0,30}$/)), (text) => {
        try {
          const steps = parsePath(text);
          expect(steps.length).toBeGreaterThan(0);
          resolvePath({ a: [{ name: "x" }] }, steps);
        } catch (err) {
          expect(err).toBeInstanceOf(PathSyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("regex safety check on random patterns", () => {
  it("accepted patterns run in linear-ish time on adversarial input", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a()|+*?.{}0-9,\\]{1,12}$/), (source) => {
        if (unsafeRegexReason(source) !== undefined) return;
        const re = new RegExp(source, "u");
        // CPU time, not wall time: a loaded machine must not fail the test, a slow pattern must.
        expect(cpuTimeMs(() => re.test(`${"a".repeat(5000)}!`))).toBeLessThan(200);
      }),
      { numRuns: 1000 },
    );
  });
});
