/**
 * Stored config versions: append, read, list. Nothing is overwritten: a rollback is a new version
 * whose text equals an old one (kind "rollback", `rollbackOf` naming it). The store computes the
 * hash itself from the canonical JSON, so a stored hash always describes the stored text.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { StoreError } from "./errors.js";

export const VERSION_KINDS = ["apply", "rollback", "override"] as const;
export type ConfigVersionKind = (typeof VERSION_KINDS)[number];

/** Rollout states a version goes through; the rollout part moves them forward. */
export const ROLLOUT_STATES = [
  "pending",
  "rolling-out",
  "live",
  "failed",
  "rolled-back",
  "superseded",
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** An admin's decision to apply a version despite an overridable policy, and why. */
export interface PolicyOverride {
  readonly policy: string;
  readonly reason: string;
  readonly by: string;
}

export interface ConfigVersion {
  readonly id: number;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly author: string;
  readonly message: string;
  /** The YAML text as applied. */
  readonly document: string;
  /** Canonical JSON of the validated config (RFC 8785 style), what the hash covers. */
  readonly canonical: string;
  /** sha256 of `canonical`, lowercase hex. */
  readonly hash: string;
  readonly parentId: number | null;
  readonly kind: ConfigVersionKind;
  readonly rollbackOf: number | null;
  readonly overrides: readonly PolicyOverride[];
  readonly rolloutState: RolloutState;
}

/** A version without its (large) texts, for listings. */
export type ConfigVersionSummary = Omit<ConfigVersion, "document" | "canonical">;

export interface AppendVersionInput {
  readonly author: string;
  readonly message: string;
  readonly document: string;
  readonly canonical: string;
  readonly kind: ConfigVersionKind;
  readonly rollbackOf?: number;
  readonly overrides?: readonly PolicyOverride[];
  /**
   * The version the caller planned against (null: an empty store). When given and the latest
   * version differs, the append is refused with STORE_CONFLICT instead of silently stacking a
   * change on a config nobody reviewed it against.
   */
  readonly expectParent?: number | null;
}

/** 1 MiB: a rampart.yaml is a few KiB; a bigger one is a mistake (or an attack on the store). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Defaults filled in make the canonical JSON larger than the YAML, but not by more than this. */
export const MAX_CANONICAL_BYTES = 4 * MAX_DOCUMENT_BYTES;

interface VersionRow {
  id: number;
  created_at: string;
  author: string;
  message: string;
  document?: string;
  canonical?: string;
  hash: string;
  parent_id: number | null;
  kind: string;
  rollback_of: number | null;
  overrides: string;
  rollout_state: string;
}

const SUMMARY_COLUMNS =
  "id, created_at, author, message, hash, parent_id, kind, rollback_of, overrides, rollout_state";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function summaryOf(row: VersionRow): ConfigVersionSummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    author: row.author,
    message: row.message,
    hash: row.hash,
    parentId: row.parent_id,
    kind: row.kind as ConfigVersionKind,
    rollbackOf: row.rollback_of,
    overrides: JSON.parse(row.overrides) as PolicyOverride[],
    rolloutState: row.rollout_state as RolloutState,
  };
}

function versionOf(row: VersionRow): ConfigVersion {
  return { ...summaryOf(row), document: row.document ?? "", canonical: row.canonical ?? "" };
}

function checkSize(what: string, text: string, max: number): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > max) {
    throw new StoreError("STORE_TOO_LARGE", `${what} is ${bytes} bytes, above the limit of ${max} bytes`, {
      hint: "split the config or remove what is not needed; nothing was stored",
    });
  }
}

export class ConfigVersionRepository {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement<[number]>;
  readonly #latest: Database.Statement<[]>;
  readonly #latestId: Database.Statement<[]>;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      `INSERT INTO config_versions
         (created_at, author, message, document, canonical, hash, parent_id, kind, rollback_of, overrides)
       VALUES (@createdAt, @author, @message, @document, @canonical, @hash, @parentId, @kind, @rollbackOf, @overrides)`,
    );
    this.#get = db.prepare("SELECT * FROM config_versions WHERE id = ?");
    this.#latest = db.prepare("SELECT * FROM config_versions ORDER BY id DESC LIMIT 1");
    this.#latestId = db.prepare("SELECT max(id) AS id FROM config_versions");
  }

  /** Appends a version; its parent is the latest version at the time of the append. */
  append(input: AppendVersionInput): ConfigVersion {
    if (!(VERSION_KINDS as readonly string[]).includes(input.kind)) {
      throw new StoreError("STORE_INVALID", `unknown version kind ${JSON.stringify(input.kind)}`);
    }
    if (input.author.trim() === "") throw new StoreError("STORE_INVALID", "a version needs an author");
    checkSize("the config document", input.document, MAX_DOCUMENT_BYTES);
    checkSize("the canonical config", input.canonical, MAX_CANONICAL_BYTES);
    for (const o of input.overrides ?? []) {
      if (o.policy === "" || o.reason.trim() === "" || o.by.trim() === "") {
        throw new StoreError("STORE_INVALID", "an override needs a policy, a reason and who gave it");
      }
    }
    const hash = sha256Hex(input.canonical);
    const run = this.#db.transaction((): number => {
      const parentId = (this.#latestId.get() as { id: number | null }).id;
      if (input.expectParent !== undefined && input.expectParent !== parentId) {
        throw new StoreError(
          "STORE_CONFLICT",
          `the latest version is ${parentId ?? "none"}, not ${input.expectParent ?? "none"} as planned`,
          { hint: "someone applied a change meanwhile: plan again against the latest version" },
        );
      }
      if (input.rollbackOf !== undefined && this.#get.get(input.rollbackOf) === undefined) {
        throw new StoreError("STORE_NOT_FOUND", `no config version ${input.rollbackOf} to roll back to`);
      }
      const info = this.#insert.run({
        createdAt: this.#now().toISOString(),
        author: input.author,
        message: input.message,
        document: input.document,
        canonical: input.canonical,
        hash,
        parentId,
        kind: input.kind,
        rollbackOf: input.rollbackOf ?? null,
        overrides: JSON.stringify(input.overrides ?? []),
      });
      return Number(info.lastInsertRowid);
    });
    // IMMEDIATE: the parent read and the insert happen under one write lock.
    const id = run.immediate();
    return this.get(id)!;
  }

  get(id: number): ConfigVersion | undefined {
    const row = this.#get.get(id) as VersionRow | undefined;
    return row === undefined ? undefined : versionOf(row);
  }

  latest(): ConfigVersion | undefined {
    const row = this.#latest.get() as VersionRow | undefined;
    return row === undefined ? undefined : versionOf(row);
  }

  /** Newest first; `before` pages back (ids below it). */
  list(opts: { limit?: number; before?: number } = {}): ConfigVersionSummary[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 50, 1000));
    const rows = (
      opts.before === undefined
        ? this.#db
            .prepare(`SELECT ${SUMMARY_COLUMNS} FROM config_versions ORDER BY id DESC LIMIT ?`)
            .all(limit)
        : this.#db
            .prepare(`SELECT ${SUMMARY_COLUMNS} FROM config_versions WHERE id < ? ORDER BY id DESC LIMIT ?`)
            .all(opts.before, limit)
    ) as VersionRow[];
    return rows.map(summaryOf);
  }

  /** The one mutable column: where the version's rollout stands. */
  setRolloutState(id: number, state: RolloutState): void {
    if (!(ROLLOUT_STATES as readonly string[]).includes(state)) {
      throw new StoreError("STORE_INVALID", `unknown rollout state ${JSON.stringify(state)}`);
    }
    const info = this.#db.prepare("UPDATE config_versions SET rollout_state = ? WHERE id = ?").run(state, id);
    if (info.changes === 0) throw new StoreError("STORE_NOT_FOUND", `no config version ${id}`);
  }
}
