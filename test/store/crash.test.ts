/**
 * Crash safety: a child process appends large versions in a loop and is killed with SIGKILL at
 * random moments. After each kill the store must open clean, pass `PRAGMA integrity_check`, and
 * hold only complete versions with contiguous ids (the WAL either has a commit or it does not).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { sha256Hex } from "../../src/store/versions.js";
import { repoRoot } from "../support/shared.js";

const child = resolve(repoRoot, "test/store/fixtures/append-loop.ts");
const dir = mkdtempSync(join(tmpdir(), "rampart-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until it has printed `minAppends` ids, then waits `extraMs` and kills it. */
function runAndKill(minAppends: number, extraMs: number): Promise<number> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ["--import", "tsx", child, dir], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = 0;
    let killing = false;
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.stdout.on("data", (d: Buffer) => {
      seen += d.toString().split("\n").length - 1;
      if (!killing && seen >= minAppends) {
        killing = true;
        setTimeout(() => p.kill("SIGKILL"), extraMs);
      }
    });
    // "close", not "exit": every id the child wrote to the pipe has been read by then.
    p.on("close", (code, signal) => {
      if (signal === "SIGKILL") done(seen);
      else fail(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe("store crash safety", () => {
  it("survives SIGKILL at random moments during large appends", { timeout: 120_000 }, async () => {
    let previousCount = 0;
    for (let round = 0; round < 6; round++) {
      const printed = await runAndKill(1 + Math.floor(Math.random() * 4), Math.floor(Math.random() * 150));
      const store = openStore(dir);
      try {
        expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
        const rows = store.db
          .prepare("SELECT id, document, canonical, hash FROM config_versions ORDER BY id")
          .all() as { id: number; document: string; canonical: string; hash: string }[];
        // Everything the child reported as stored is there; at most the one in flight is added.
        expect(rows.length).toBeGreaterThanOrEqual(previousCount + printed);
        expect(rows.length).toBeLessThanOrEqual(previousCount + printed + 1);
        rows.forEach((r, i) => {
          expect(r.id).toBe(i + 1);
          expect(sha256Hex(r.canonical)).toBe(r.hash);
          expect(JSON.parse(r.canonical)).toEqual({ document: r.document });
          const length = Number(/^length: (\d+)\n/.exec(r.document)?.[1]);
          expect(r.document.endsWith(`\nend: ${r.id}\n`)).toBe(true);
          expect(r.document.length).toBe(`length: ${length}\nbody: ""\nend: ${r.id}\n`.length + length);
        });
        previousCount = rows.length;
      } finally {
        store.close();
      }
    }
    expect(previousCount).toBeGreaterThan(6);
  });
});
