/**
 * The config workflow through the real CLI against a real `rampart control` process: the fixed exit
 * codes (0 applied, 2 invalid with `file:line path: message`, 3 refused with the override
 * invocation), plan text, history, show, diff, rollback, tokens, events, and validate falling back
 * to the schema alone when no control plane answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID, V1, V1_PORT, V2_SQLI_OFF } from "../api/harness.js";
import { type ControlProcess, ensureBuilt, runCli, startControlProcess } from "../api/process.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-config-"));
const data = join(dir, "data");
let cp: ControlProcess | undefined;

const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Runs `rampart ARGS` against the test's control plane; the token comes from DATA/admin.token. */
const rampart = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { control: cp?.url, data }, env);

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

describe("rampart config (real process)", { timeout: 60_000 }, () => {
  it("the postmortem: apply 0, refused 3 with the override invocation, override 0, history and events show it", async () => {
    const good = file("good.yaml", V1);
    const bad = file("bad.yaml", V2_SQLI_OFF);

    const first = await rampart(["config", "apply", good, "-m", "initial"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied version 1 \([0-9a-f]{12}\)/);

    const plan = await rampart(["config", "plan", bad]);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain("~ waf.modules.sqli: on -> off");
    expect(plan.stdout).toContain("Refused: 1 policy fails (critical-modules-on).");

    const refused = await rampart(["config", "apply", bad, "-m", "server update"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/critical-modules-on\s+waf\.modules\.sqli\s+sqli/);
    expect(refused.stderr).toContain(
      `rampart config apply ${bad} -m 'server update' --override critical-modules-on --reason "..."`,
    );

    const noReason = await rampart(["config", "apply", bad, "-m", "x", "--override", "critical-modules-on"]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("--reason");

    const overridden = await rampart([
      "config",
      "apply",
      bad,
      "-m",
      "server update",
      "--override",
      "critical-modules-on",
      "--reason",
      "drill",
    ]);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toContain("applied version 2");
    expect(overridden.stdout).toContain("override critical-modules-on: drill");

    const history = await rampart(["config", "history"]);
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+CREATED \(UTC\)\s+AUTHOR\s+KIND\s+HASH\s+MESSAGE$/);
    expect(lines[1]).toMatch(
      /^2\*\s+\S+ \S+\s+bootstrap-admin\s+override\s+[0-9a-f]{12}\s+server update \[override: critical-modules-on\]$/,
    );
    expect(lines[2]).toMatch(/^1\s/);
    // Aligned: the KIND column starts at the same offset on every line.
    expect(new Set(lines.map((l) => l.search(/(KIND|override|apply)/))).size).toBe(1);

    const events = await rampart(["events", "--kind", "config.refused", "--json"]);
    expect(events.code).toBe(0);
    const refusedEvents = events.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string });
    expect(refusedEvents.map((e) => e.kind)).toEqual(["config.refused"]);

    const json = await rampart(["config", "history", "--json"]);
    expect((JSON.parse(json.stdout) as { versions: unknown[] }).versions).toHaveLength(2);
  });

  it("an invalid file exits 2 and prints every problem as file:line path: message; nothing stored", async () => {
    const inv = file("invalid.yaml", INVALID);
    const before = await rampart(["config", "history", "--json"]);
    const res = await rampart(["config", "apply", inv, "-m", "broken"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${inv}:3 routes: `);
    expect(res.stderr).toContain(`${inv}:4 waf.mode: `);
    const after = await rampart(["config", "history", "--json"]);
    expect(after.stdout).toBe(before.stdout);
    const validate = await rampart(["config", "validate", inv]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(`${inv}:3 routes: `);
  });

  it("validate checks policies against the live version when reachable, the schema alone otherwise", async () => {
    const bad = file("bad2.yaml", V2_SQLI_OFF.replace("port: 8082", "port: 8083"));
    const live = await rampart(["config", "validate", bad]);
    expect(live.code).toBe(3);
    expect(live.stdout).toMatch(/valid; policies against live version \d+ at http:\S+: refused/);
    expect(live.stdout).toContain("critical-modules-on  waf.modules.sqli");
    const good = file("good2.yaml", V1_PORT);
    const reachable = await rampart(["config", "validate", good]);
    expect(reachable.code).toBe(0);
    const offline = await rampart(["config", "validate", good, "--control", "http://127.0.0.1:9"]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(
      "valid (schema only; policies not checked: no control plane at http://127.0.0.1:9)",
    );
  });

  it("show, diff and rollback", async () => {
    const show = await rampart(["config", "show", "1"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^# version 1 \(apply\) by bootstrap-admin at /);
    expect(show.stdout).toContain(V1.trim());
    const diff = await rampart(["config", "diff", "1", "2"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("waf.modules.sqli: on -> off");
    const missing = await rampart(["config", "show", "999"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("VERSION_NOT_FOUND");
    const back = await rampart(["config", "rollback", "1", "-m", "undo the update"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/rolled back: version \d+ \([0-9a-f]{12}\) equals version 1/);
  });

  it("token create prints the token alone on stdout; it works; a viewer cannot apply (exit 1, 403)", async () => {
    const created = await rampart(["token", "create", "reader", "--role", "viewer"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    const list = await rampart(["token", "list"]);
    expect(list.stdout).toMatch(/reader\s+viewer/);
    const asViewer = await rampart(["config", "apply", file("v.yaml", V1_PORT), "-m", "x", "--token", token]);
    expect(asViewer.code).toBe(1);
    expect(asViewer.stderr).toContain("FORBIDDEN");
    const badRole = await rampart(["token", "create", "x", "--role", "root"]);
    expect(badRole.code).toBe(2);
  });

  it("an unreachable control plane is exit 1 with where it looked", async () => {
    const res = await rampart(["config", "history", "--control", "http://127.0.0.1:9"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("cannot reach the control plane at http://127.0.0.1:9");
  });

  it.each([["config"], ["config apply"], ["config rollback"], ["token create"], ["events"], ["control"]])(
    "%s --help exits 0",
    async (cmd) => {
      const res = await rampart([...cmd.split(" "), "--help"]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("Usage: rampart");
    },
  );
});
