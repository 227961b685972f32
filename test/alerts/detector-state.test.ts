/** Detector snapshots: a restored detector continues exactly where the saved one was; a snapshot of another shape is refused. */
import { describe, expect, it } from "vitest";
import { assignState, decodeState, encodeState } from "../../src/alerts/detector-state.js";
import { createDetector } from "../../src/monitor/detectors/index.js";

const T0 = Date.parse("2026-11-25T00:00:00Z");
const value = (s: number) => 100 + ((s * 7919) % 13) - 6 + (s > 700 ? 80 : 0);

describe("detector state", () => {
  it.each(["spike", "drop", "level-shift", "composite"])(
    "%s restored from a snapshot scores as the original",
    (name) => {
      const original = createDetector(name);
      for (let s = 0; s < 600; s++) original.update(T0 + s * 1000, value(s));
      const restored = createDetector(name);
      expect(assignState(restored, decodeState(encodeState(original)))).toBe(true);
      for (let s = 600; s < 800; s++) {
        expect(restored.update(T0 + s * 1000, value(s))).toBe(original.update(T0 + s * 1000, value(s)));
      }
    },
  );

  it("refuses a snapshot of another shape", () => {
    const spike = createDetector("spike");
    expect(assignState(createDetector("drop"), decodeState(encodeState(spike)))).toBe(false);
    expect(assignState(spike, { baseline: 3 })).toBe(false);
    expect(assignState(spike, null)).toBe(false);
  });
});
