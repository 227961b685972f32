/** The services' periodic tick: errors stay inside the timer and are reported; a closed store stops it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { startTicker } from "../../src/store/ticker.js";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startTicker", () => {
  it("reports a throwing tick and keeps ticking; calls closed once the store is closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-ticker-"));
    const store = openStore(dir);
    let ticks = 0;
    const outcomes: (string | undefined)[] = [];
    let closed = 0;
    const timer = startTicker(
      store,
      5,
      () => {
        ticks++;
        if (ticks === 2) throw new Error("disk full");
        if (ticks === 3) throw "not an Error";
      },
      {
        failed: (err) => outcomes.push(err?.message),
        closed: () => {
          closed++;
          clearInterval(timer);
        },
      },
    );
    while (ticks < 5) await wait(5);
    expect(outcomes.slice(0, 5)).toEqual([undefined, "disk full", "not an Error", undefined, undefined]);
    store.close();
    await wait(30);
    expect(closed).toBe(1);
    const after = ticks;
    await wait(30);
    expect(ticks).toBe(after);
    rmSync(dir, { recursive: true, force: true });
  });
});
