/**
 * `rampart notify` through the real CLI against a real `rampart control` process, and the outage
 * case that matters most: the control plane killed (SIGKILL) while a notification waits for a
 * receiver that is down; started again, it delivers the notification, once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlProcess, ensureBuilt, runCli, startControlProcess } from "../../api/process.js";
import { type HttpPeer, startHttpPeer, withReceivers } from "./peers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-notify-"));
const data = join(dir, "data");
let cp: ControlProcess | undefined;
let peer: HttpPeer;

/** Runs `rampart ARGS` against the test's control plane; the token comes from DATA/admin.token. */
const rampart = (args: string[]) => runCli(args, { control: cp?.url, data });

// biome-ignore lint/suspicious/noExplicitAny: tests read fields of arbitrary JSON answers
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${cp?.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${cp?.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  ensureBuilt();
  peer = await startHttpPeer();
  cp = await startControlProcess(data);
  const applied = await api("POST", "/config/apply", {
    document: withReceivers(peer.url),
    message: "receivers",
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
}, 150_000);

afterAll(async () => {
  if (cp !== undefined && cp.child.exitCode === null) {
    cp.child.kill("SIGTERM");
    await cp.exited;
  }
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("rampart notify", () => {
  it("test RECEIVER: sent, exit 0; an unknown receiver: exit 1 with the known ones", async () => {
    const ok = await rampart(["notify", "test", "ops"]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/^sent: receiver ops accepted test notification \d+\n$/);
    expect(ok.code).toBe(0);
    expect(peer.requests.at(-1)?.body.title).toBe("[TEST] Rampart notification test for receiver ops");

    const unknown = await rampart(["notify", "test", "pager"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error NOT_FOUND: no receiver named "pager" in the live config\n  receivers: ops\n',
    );
  });

  it("test RECEIVER when the peer refuses: exit 1 and the reason", async () => {
    peer.script({ status: 401, body: "bad token" });
    const run = await rampart(["notify", "test", "ops"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`failed: receiver ops: ${peer.url} answered 401: bad token\n`);
  });

  it("list: a table, newest first, and --json; bad arguments exit 2", async () => {
    const table = await rampart(["notify", "list"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+CREATED \(UTC\)\s+RECEIVER\s+STATUS\s+ATTEMPTS\s+TITLE\s+LAST ERROR$/);
    expect(lines[1]).toMatch(
      /^\d+\s+\S+ \S+\s+ops\s+failed\s+1\s+\[TEST\] Rampart .* answered 401: bad token$/,
    );
    expect(lines[2]).toMatch(
      /^\d+\s+\S+ \S+\s+ops\s+sent\s+1\s+\[TEST\] Rampart notification test for receiver ops$/,
    );
    expect(lines.slice(3)).toEqual([
      "0 pending",
      expect.stringMatching(/^receiver ops failing since \S+ \S+: receiver ops: .* answered 401: bad token$/),
    ]);

    const json = await rampart(["notify", "list", "--json", "--status", "sent"]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(
      body.notifications.map((n: { status: string; receiver: string }) => [n.receiver, n.status]),
    ).toEqual([["ops", "sent"]]);

    expect((await rampart(["notify", "list", "--status", "lost"])).code).toBe(2);
    expect((await rampart(["notify", "test", "ops", "--wait", "100"])).code).toBe(2);
  });

  it("a control plane killed while a notification is pending delivers it once after restart", async () => {
    peer.fallback = { status: 503, body: "receiver down" };
    const queued = await rampart(["notify", "test", "ops", "--wait", "5"]);
    expect(queued.code).toBe(1);
    expect(queued.stdout).toMatch(
      /^not sent yet: receiver ops: .* answered 503: receiver down\n {2}the control plane retries it/,
    );
    const id = Number(
      /"id":(\d+)/.exec((await rampart(["notify", "list", "--json", "--status", "pending"])).stdout)?.[1],
    );
    expect(id).toBeGreaterThan(0);

    cp?.child.kill("SIGKILL");
    await cp?.exited;
    const before = peer.requests.length;
    peer.fallback = { status: 200 };
    cp = await startControlProcess(data);

    await waitFor("delivery after the restart", async () => {
      const list = await api("GET", "/notifications?status=sent");
      return list.body.notifications.some((n: { id: number }) => n.id === id);
    });
    await new Promise((r) => setTimeout(r, 500));
    const accepted = peer.requests.slice(before);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.body.title).toBe("[TEST] Rampart notification test for receiver ops");
    const events = await api("GET", "/events?kinds=notifier.failing,notifier.recovered");
    expect(events.body.events.map((e: { kind: string }) => e.kind).slice(-1)).toEqual(["notifier.recovered"]);
  });
});
