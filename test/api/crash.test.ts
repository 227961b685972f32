/**
 * Apply is atomic end to end: a real `rampart control` process takes a stream of applies (large
 * documents, so a kill often lands inside a write) and is killed with SIGKILL at random moments.
 * After each kill the store opens clean, passes integrity_check, holds every version whose 201 the
 * client received, each with its own config.applied event (same transaction) and a hash that
 * matches its canonical text; then the process restarts on the same folder and the loop goes on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { openStore } from "../../src/store/store.js";
import { sha256Hex } from "../../src/store/versions.js";
import { V1 } from "./harness.js";
import { ensureBuilt, startControlProcess } from "./process.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-apply-crash-"));
beforeAll(() => ensureBuilt(), 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ~400 KiB of comment: stored with the version, so each commit writes several hundred pages.
const PADDING = `# ${"padding ".repeat(50_000)}\n`;
const documentFor = (n: number) => `${V1.replace("port: 8080", `port: ${1024 + (n % 60_000)}`)}${PADDING}`;

describe("apply under SIGKILL", () => {
  it("never leaves a half-written version", { timeout: 180_000 }, async () => {
    const acked = new Set<number>();
    // Versions stored by an apply whose answer the kill cut off, from earlier rounds.
    const unanswered = new Set<number>();
    let n = 0;
    for (let round = 0; round < 4; round++) {
      const cp = await startControlProcess(dir);
      const killAfter = 2 + Math.floor(Math.random() * 6);
      let inRound = 0;
      let killed = false;
      const loop = (async () => {
        for (;;) {
          n++;
          let res: Response;
          try {
            res = await fetch(`${cp.url}/api/v1/config/apply`, {
              method: "POST",
              headers: { authorization: `Bearer ${cp.adminToken}`, "content-type": "application/json" },
              body: JSON.stringify({ document: documentFor(n), message: `apply ${n}` }),
            });
          } catch {
            return; // the process is gone
          }
          if (res.status !== 201) throw new Error(`apply ${n}: ${res.status} ${await res.text()}`);
          acked.add(((await res.json()) as { version: number }).version);
          inRound++;
          if (inRound >= killAfter && !killed) {
            killed = true;
            // A random moment inside the next applies.
            setTimeout(() => cp.child.kill("SIGKILL"), Math.floor(Math.random() * 40));
          }
        }
      })();
      await loop;
      const { signal } = await cp.exited;
      expect(signal).toBe("SIGKILL");

      const store = openStore(dir);
      try {
        expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
        const rows = store.db
          .prepare("SELECT id, document, canonical, hash FROM config_versions ORDER BY id")
          .all() as {
          id: number;
          document: string;
          canonical: string;
          hash: string;
        }[];
        rows.forEach((r, i) => {
          expect(r.id).toBe(i + 1);
          expect(r.hash).toBe(sha256Hex(r.canonical));
          expect(() => parseConfig(r.document)).not.toThrow();
        });
        const ids = new Set(rows.map((r) => r.id));
        for (const v of acked) expect(ids.has(v), `acknowledged version ${v} is missing`).toBe(true);
        // At most the one apply in flight at this round's kill is stored without its answer.
        const newlyUnanswered = rows.filter((r) => !acked.has(r.id) && !unanswered.has(r.id));
        expect(newlyUnanswered.length).toBeLessThanOrEqual(1);
        for (const r of newlyUnanswered) unanswered.add(r.id);
        const applied = store.events.list({ kinds: ["config.applied"], limit: 10_000 });
        expect(applied.map((e) => e.data.version)).toEqual(rows.map((r) => r.id));
      } finally {
        store.close();
      }
    }
    expect(acked.size).toBeGreaterThanOrEqual(8);
  });
});
