/**
 * API tokens of the control plane. Only the sha256 of a token is stored: a copy of the database
 * does not let anyone call the API. Tokens are 32 random bytes, base64url, prefixed `rmp_` so that
 * secret scanners and people recognise them (as GitHub's `ghp_`).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type Database from "better-sqlite3";
import { StoreError } from "./errors.js";

/** `gateway` is for gateways' own tokens (read their config, report); people get the other three. */
export const TOKEN_ROLES = ["viewer", "operator", "admin", "gateway"] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export const TOKEN_PREFIX = "rmp_";
/** `rmp_` + 43 base64url characters (32 bytes). */
const TOKEN_RE = /^rmp_[A-Za-z0-9_-]{43}$/;

/** last_used_at is refreshed at most this often: a verify per API call must not be a write per call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

interface TokenRow {
  id: number;
  name: string;
  role: string;
  token_sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

export class ApiTokenRepository {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #byHash: Database.Statement<[string]>;
  readonly #touch: Database.Statement<[string, number]>;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
    this.#byHash = db.prepare("SELECT * FROM api_tokens WHERE token_sha256 = ?");
    this.#touch = db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
  }

  /** Creates a token; the clear token is returned once and never stored. */
  create(name: string, role: TokenRole): { id: number; token: string } {
    if (name.trim() === "" || name.length > 200) {
      throw new StoreError("STORE_INVALID", "a token needs a name of 1-200 characters");
    }
    if (!(TOKEN_ROLES as readonly string[]).includes(role)) {
      throw new StoreError(
        "STORE_INVALID",
        `unknown role ${JSON.stringify(role)} (use ${TOKEN_ROLES.join(", ")})`,
      );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const info = this.#db
      .prepare("INSERT INTO api_tokens (name, role, token_sha256, created_at) VALUES (?, ?, ?, ?)")
      .run(name, role, digest(token).toString("hex"), this.#now().toISOString());
    return { id: Number(info.lastInsertRowid), token };
  }

  /**
   * The token's id and role, or undefined for an unknown, malformed or revoked token. The lookup is
   * by hash (an attacker cannot steer a hash's prefix, so the index walk leaks nothing useful), and
   * the found hash is then compared in constant time as well.
   */
  verify(token: string): { id: number; role: TokenRole } | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const presented = digest(token);
    const row = this.#byHash.get(presented.toString("hex")) as TokenRow | undefined;
    if (row === undefined) return undefined;
    if (!timingSafeEqual(presented, Buffer.from(row.token_sha256, "hex"))) return undefined;
    if (row.revoked_at !== null) return undefined;
    const now = this.#now();
    const last = row.last_used_at === null ? Number.NEGATIVE_INFINITY : Date.parse(row.last_used_at);
    if (now.getTime() - last >= LAST_USED_RESOLUTION_MS) this.#touch.run(now.toISOString(), row.id);
    return { id: row.id, role: row.role as TokenRole };
  }

  /** Revoking is final and kept (revoked_at); revoking twice keeps the first time. */
  revoke(id: number): void {
    const info = this.#db
      .prepare("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")
      .run(this.#now().toISOString(), id);
    if (info.changes === 0) throw new StoreError("STORE_NOT_FOUND", `no API token ${id}`);
  }

  list(): ApiToken[] {
    const rows = this.#db.prepare("SELECT * FROM api_tokens ORDER BY id").all() as TokenRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as TokenRole,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }
}
