/**
 * `rampart alerts` and `rampart silence` through the real CLI against a real `rampart control`
 * process: texts, --json, exit codes, and an alert raised in that process by a drift event written
 * to its store, shown as silenced once a silence matches it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import {
  type CliRun,
  type ControlProcess,
  ensureBuilt,
  runCli,
  startControlProcess,
} from "../api/process.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-alerts-"));
const data = join(dir, "data");
let cp: ControlProcess | undefined;

/** Runs `rampart ARGS` against the test's control plane; the token comes from DATA/admin.token. */
const rampart = (args: string[]) => runCli(args, { control: cp?.url, data });

beforeAll(async () => {
  ensureBuilt();
  cp = await startControlProcess(data);
}, 150_000);
afterAll(async () => {
  if (cp !== undefined) {
    cp.child.kill("SIGTERM");
    await cp.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("rampart alerts / rampart silence (real process)", { timeout: 60_000 }, () => {
  it("no alerts, then a silent gateway's alert, silenced and listed as such", async () => {
    const empty = await rampart(["alerts"]);
    expect([empty.code, empty.stdout.trim()]).toEqual([0, "no alerts"]);

    // The fleet writes this when a gateway stops attesting; here it is written to the same store.
    const store = openStore(data);
    try {
      store.events.append({
        kind: "drift",
        severity: "critical",
        source: "control-plane",
        subject: "gateway:edge-7",
        data: { gateway: "edge-7", code: "silent", reason: "no attestation for 15 s" },
      });
    } finally {
      store.close();
    }
    let listed: CliRun = empty;
    for (let i = 0; i < 50 && !listed.stdout.includes("gateway-down"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await rampart(["alerts"]);
    }
    const lines = listed.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STATE\s+SEVERITY\s+ALERT\s+WHERE\s+SINCE \(UTC\)\s+MUTED\s+SUMMARY$/);
    expect(lines[1]).toMatch(
      /^firing\s+critical\s+gateway-down\s+gateway=edge-7\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+gateway edge-7 is silent: no attestation for 15 s$/,
    );
    // What changed before it: here the drift episode itself, as the change log records it.
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^what changed before gateway-down \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\):$/),
      expect.stringMatching(/^ {2}drift on edge-7 \d\d:\d\d: no attestation for 15 s$/),
    ]);

    const added = await rampart([
      "silence",
      "add",
      "--match",
      "alertname=gateway-down",
      "--match",
      'gateway="edge-7"',
      "--for",
      "2h",
      "--comment",
      "edge-7 is being replaced",
      "--json",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = JSON.parse(added.stdout).silence.id as string;

    const json = JSON.parse((await rampart(["alerts", "--json"])).stdout);
    expect(json.alerts.map((a: { rule: string; silencedBy?: string[] }) => [a.rule, a.silencedBy])).toEqual([
      ["gateway-down", [id]],
    ]);
    expect((await rampart(["alerts"])).stdout).toContain(`silenced (${id.slice(0, 8)})`);

    const list = await rampart(["silence", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+active\\s+alertname="gateway-down" gateway="edge-7"`));
    expect(list.stdout).toContain("edge-7 is being replaced");

    const expired = await rampart(["silence", "expire", id]);
    expect([expired.code, expired.stdout.trim()]).toEqual([0, `silence ${id} expired`]);
    expect((await rampart(["silence", "list"])).stdout).toMatch(new RegExp(`${id}\\s+expired`));
  });

  it("bad input: exit 2 with the reason; an unknown silence: exit 1", async () => {
    const noMatch = await rampart(["silence", "add", "--for", "1h", "--comment", "x"]);
    expect(noMatch.code).toBe(2);
    expect(noMatch.stderr).toContain("give at least one --match");
    const noEnd = await rampart(["silence", "add", "--match", "route=a", "--comment", "x"]);
    expect([noEnd.code, noEnd.stderr.trim()]).toEqual([
      2,
      "error: give --for DURATION (e.g. 2h) or --until TIME, one of them",
    ]);
    const badMatcher = await rampart(["silence", "add", "--match", "route", "--for", "1h", "--comment", "x"]);
    expect(badMatcher.code).toBe(2);
    expect(badMatcher.stderr).toContain('"route" is not a matcher');
    const badState = await rampart(["alerts", "--state", "burning"]);
    expect([badState.code, badState.stderr.trim()]).toEqual([
      2,
      "error: --state burning: use pending, firing, resolved",
    ]);
    const unknown = await rampart(["silence", "expire", "0000"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no silence 0000");
  });

  it("--help names the options", async () => {
    const help = await rampart(["silence", "add", "--help"]);
    expect(help.code).toBe(0);
    for (const o of ["--match", "--for", "--until", "--comment", "--json"]) expect(help.stdout).toContain(o);
  });
});
