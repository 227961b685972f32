/**
 * First run and restarts: an admin token in DATA/admin.token with mode 0600, created once; a store
 * from before the gateway role (schema 1) migrates and keeps its tokens working.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureAdminToken } from "../../src/api/bootstrap.js";
import { startControlPlane } from "../../src/control/server.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { openStore } from "../../src/store/store.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "rampart-boot-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("first-run admin token", () => {
  it("is written with mode 0600, works, and is not recreated on restart", async () => {
    const dir = tempDir();
    const cp = await startControlPlane({ dataDir: dir, port: 0 });
    expect(cp.adminToken).toMatchObject({ created: true, file: join(dir, "admin.token") });
    expect(statSync(join(dir, "admin.token")).mode & 0o777).toBe(0o600);
    const token = readFileSync(join(dir, "admin.token"), "utf8").trim();
    const res = await fetch(`${cp.url}/api/v1/tokens`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await cp.close();

    const again = await startControlPlane({ dataDir: dir, port: 0 });
    expect(again.adminToken?.created).toBe(false);
    expect(readFileSync(join(dir, "admin.token"), "utf8").trim()).toBe(token);
    expect(again.store.tokens.list().filter((x) => x.role === "admin")).toHaveLength(1);
    await again.close();
  });

  it("a port in use rejects with EADDRINUSE and leaves nothing open", async () => {
    const dir = tempDir();
    const first = await startControlPlane({ dataDir: dir, port: 0 });
    const port = Number(new URL(first.url).port);
    await expect(startControlPlane({ dataDir: tempDir(), port })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    await first.close();
    await first.close(); // closing twice is harmless
    expect(first.store.db.open).toBe(false);
  });

  it("is created again when every admin token was revoked", () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      const first = ensureAdminToken(store, dir);
      store.tokens.revoke(1);
      const second = ensureAdminToken(store, dir);
      expect(first.created && second.created).toBe(true);
      expect(store.tokens.verify(readFileSync(second.file, "utf8").trim())).toMatchObject({ role: "admin" });
    } finally {
      store.close();
    }
  });

  it("a store with schema 1 migrates to the gateway role and keeps its tokens", () => {
    const dir = tempDir();
    const old = openStore(dir, { migrations: MIGRATIONS.slice(0, 1) });
    const { token } = old.tokens.create("old-admin", "admin");
    expect(() =>
      old.db
        .prepare(
          "INSERT INTO api_tokens (name, role, token_sha256, created_at) VALUES ('g', 'gateway', ?, 'now')",
        )
        .run("a".repeat(64)),
    ).toThrow(/CHECK/);
    old.close();
    const store = openStore(dir);
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
      expect(store.tokens.verify(token)).toEqual({ id: 1, role: "admin" });
      const gw = store.tokens.create("edge-1", "gateway");
      expect(gw.id).toBe(2);
      expect(store.tokens.verify(gw.token)?.role).toBe("gateway");
    } finally {
      store.close();
    }
  });
});
