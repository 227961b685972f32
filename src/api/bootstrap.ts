/**
 * First run: a control plane without any admin token creates one and writes it to DATA/admin.token
 * (mode 0600, readable by the owner only), so the operator can call the API at once, and the CLI on
 * the same machine picks it up without copying secrets around. Only the hash is in the database.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../store/store.js";

export const ADMIN_TOKEN_FILE = "admin.token";
export const BOOTSTRAP_TOKEN_NAME = "bootstrap-admin";

export interface BootstrapResult {
  /** Where the admin token is (or would be) written. */
  readonly file: string;
  /** True when this call created a token; false when an active admin token existed already. */
  readonly created: boolean;
}

export function ensureAdminToken(store: Store, dataDir: string): BootstrapResult {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (store.tokens.list().some((t) => t.role === "admin" && t.revokedAt === null)) {
    return { file, created: false };
  }
  const { id, token } = store.tokens.create(BOOTSTRAP_TOKEN_NAME, "admin");
  // mode applies only when the file is created; chmod covers a stale file left by an older store.
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  store.events.append({
    kind: "token.created",
    severity: "info",
    source: "control-plane",
    subject: `token:${id}`,
    data: { id, name: BOOTSTRAP_TOKEN_NAME, role: "admin", by: "bootstrap", file },
  });
  return { file, created: true };
}
