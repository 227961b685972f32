/**
 * The control plane process: opens the store under the data folder, makes sure an admin token
 * exists (first run), and serves the HTTP API on loopback by default. Never on the request path of
 * the shop: gateways keep serving their last good config when it is down.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { buildApi } from "../api/app.js";
import { type BootstrapResult, ensureAdminToken } from "../api/bootstrap.js";
import { openStore, type Store } from "../store/store.js";

export const DEFAULT_CONTROL_HOST = "127.0.0.1";
export const DEFAULT_CONTROL_PORT = 9700;

export interface ControlPlaneOptions {
  readonly dataDir: string;
  /** Default 127.0.0.1: the API changes what every gateway enforces; expose it deliberately. */
  readonly host?: string;
  /** Default 9700; 0 picks a free port (tests). */
  readonly port?: number;
  readonly logger?: FastifyBaseLogger;
  /** Create DATA/admin.token when no admin token exists (default true). */
  readonly bootstrap?: boolean;
}

export interface ControlPlane {
  /** Base URL, e.g. http://127.0.0.1:9700 (routes are under /api/v1). */
  readonly url: string;
  readonly store: Store;
  readonly app: FastifyInstance;
  /** Present when bootstrap ran: where the admin token is and whether it was created now. */
  readonly adminToken: BootstrapResult | undefined;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const store = openStore(opts.dataDir);
  let app: FastifyInstance | undefined;
  try {
    const adminToken = opts.bootstrap === false ? undefined : ensureAdminToken(store, opts.dataDir);
    app = await buildApi({ store, ...(opts.logger === undefined ? {} : { logger: opts.logger }) });
    const host = opts.host ?? DEFAULT_CONTROL_HOST;
    await app.listen({ host, port: opts.port ?? DEFAULT_CONTROL_PORT });
    const addr = app.server.address();
    const port = typeof addr === "object" && addr !== null ? addr.port : (opts.port ?? DEFAULT_CONTROL_PORT);
    const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
    let closed: Promise<void> | undefined;
    const started = app;
    return {
      url: `http://${shown}:${port}`,
      store,
      app,
      adminToken,
      close() {
        closed ??= started.close().finally(() => store.close());
        return closed;
      },
    };
  } catch (err) {
    // A port in use: stop what the plugins started (timers) before closing the store under them.
    await app?.close().catch(() => undefined);
    store.close();
    throw err;
  }
}
