/**
 * The control plane's HTTP API as a fastify instance: decorations (store, auth), one error handler
 * that turns every failure into `{ error, message, hint?, ...details }` with the status of its code
 * (errors.ts), the route plugins of routes/index.ts under /api/v1, and an OpenAPI 3.1 document built
 * from the routes' own schemas (what validates a request is what documents it).
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { ConfigError } from "../config/errors.js";
import { PolicyRefusedError } from "../config/policies/errors.js";
import { isRampartError } from "../errors.js";
import { INCIDENT_ERROR_STATUS } from "../incidents/errors.js";
import { StoreError } from "../store/errors.js";
import type { Store } from "../store/store.js";
import { createAuth } from "./auth.js";
import { API_ERRORS, ApiError, type ApiErrorCode, type ErrorBody } from "./errors.js";
import { buildOpenApi, type DocumentedRoute } from "./openapi.js";
import { routePlugins } from "./routes/index.js";

export const API_PREFIX = "/api/v1";
/** Bodies above this are refused with 413 before parsing: a config is a few KiB. */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export interface ApiOptions {
  readonly store: Store;
  /** A pino logger (or any fastify-compatible one); none: no request log. */
  readonly logger?: FastifyBaseLogger;
}

function body(code: string, message: string, hint?: string, details: object = {}): ErrorBody {
  return { error: code, message, ...(hint === undefined ? {} : { hint }), ...details };
}

/** The status of the parts' own error codes that are not "bad request" (each part keeps its table). */
const PART_ERROR_STATUS: Readonly<Record<string, number>> = { ...INCIDENT_ERROR_STATUS };

const STORE_STATUS: Readonly<Record<string, ApiErrorCode>> = {
  STORE_NOT_FOUND: "NOT_FOUND",
  STORE_CONFLICT: "CONFIG_CONFLICT",
  STORE_TOO_LARGE: "BODY_TOO_LARGE",
  STORE_INVALID: "INVALID_REQUEST",
};

/** The status and body for any error a handler, a hook or fastify itself raised. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (err instanceof ApiError) {
    return { status: err.status, body: body(err.code, err.message, err.hint, err.details), internal: false };
  }
  if (err instanceof ConfigError) {
    return {
      status: API_ERRORS.CONFIG_INVALID,
      body: body("CONFIG_INVALID", err.message, err.hint, { file: err.file, issues: err.issues }),
      internal: false,
    };
  }
  if (err instanceof PolicyRefusedError) {
    const overridable = err.verdicts.every((v) => v.overridable);
    const policies = [...new Set(err.verdicts.map((v) => v.policy))];
    return {
      status: API_ERRORS.CONFIG_POLICY_REFUSED,
      body: body("CONFIG_POLICY_REFUSED", err.message, err.hint, {
        verdicts: err.verdicts,
        refusedOverrides: err.refusedOverrides,
        override: overridable
          ? {
              possible: true,
              role: "admin",
              cli: `rampart config apply FILE -m "..." ${policies.map((p) => `--override ${p}`).join(" ")} --reason "..."`,
              body: { overrides: policies.map((policy) => ({ policy, reason: "..." })) },
            }
          : { possible: false, policies: err.verdicts.filter((v) => !v.overridable).map((v) => v.policy) },
      }),
      internal: false,
    };
  }
  if (err instanceof StoreError) {
    const code = STORE_STATUS[err.code] ?? "STORE_UNAVAILABLE";
    return {
      status: API_ERRORS[code],
      body: body(code, err.message, err.hint, { storeError: err.code }),
      internal: code === "STORE_UNAVAILABLE",
    };
  }
  if (isRampartError(err)) {
    return {
      status: PART_ERROR_STATUS[err.code] ?? 400,
      body: body(err.code, err.message, err.hint),
      internal: false,
    };
  }
  // Anything can be thrown (a string, undefined): read fields only from an object.
  const fe = (typeof err === "object" && err !== null ? err : {}) as Partial<FastifyError> & {
    validation?: { instancePath?: string; message?: string }[];
  };
  if (Array.isArray(fe.validation)) {
    return {
      status: 400,
      body: body(
        "INVALID_REQUEST",
        fe.message ?? "invalid request",
        "see the route's schema in GET /api/v1/openapi.json",
        {
          issues: fe.validation.map((v) => ({ path: v.instancePath ?? "", message: v.message ?? "" })),
        },
      ),
      internal: false,
    };
  }
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return {
      status: 413,
      body: body("BODY_TOO_LARGE", `the body is above ${BODY_LIMIT_BYTES} bytes`, "nothing was stored"),
      internal: false,
    };
  }
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return {
      status: 415,
      body: body(
        "UNSUPPORTED_MEDIA_TYPE",
        fe.message ?? "unsupported media type",
        "send Content-Type: application/json",
      ),
      internal: false,
    };
  }
  if (
    fe.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
    fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    (err instanceof SyntaxError && fe.statusCode === 400)
  ) {
    return {
      status: 400,
      body: body("MALFORMED_JSON", `the body is not valid JSON: ${fe.message ?? ""}`, "nothing was stored"),
      internal: false,
    };
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      body: body("INVALID_REQUEST", fe.message ?? "invalid request"),
      internal: false,
    };
  }
  // SQLite busy for longer than the busy timeout: transient, say so instead of a bare 500.
  if (fe.code === "SQLITE_BUSY") {
    return {
      status: 503,
      body: body("STORE_UNAVAILABLE", "the store is locked by another writer", "retry in a moment"),
      internal: true,
    };
  }
  return {
    status: 500,
    body: body(
      "INTERNAL",
      "internal error; nothing was changed by this request",
      "see the control plane's log",
    ),
    internal: true,
  };
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger === undefined ? { logger: false } : { loggerInstance: opts.logger }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind nothing by default (loopback): the peer address is the client.
    trustProxy: false,
    return503OnClosing: true,
  });
  app.decorate("store", opts.store);
  app.decorate("auth", createAuth(opts.store));

  const routes: DocumentedRoute[] = [];
  app.addHook("onRoute", (r) => {
    if (r.url.startsWith(API_PREFIX) && r.method !== "HEAD") {
      routes.push({
        method: r.method,
        url: r.url,
        ...(r.schema === undefined ? {} : { schema: r.schema as DocumentedRoute["schema"] }),
        role: r.config?.role ?? "none",
      });
    }
  });

  // Fastify validates a body only when there is one: a missing body or a JSON `null` would reach the
  // handler. A route whose body has required fields must get an object.
  app.addHook("preValidation", async (request) => {
    const schema = request.routeOptions.schema?.body as { required?: readonly string[] } | undefined;
    if (schema === undefined) return;
    const b: unknown = request.body;
    const missing = b === undefined || b === null;
    if (
      (missing && (schema.required?.length ?? 0) > 0) ||
      (!missing && (typeof b !== "object" || Array.isArray(b)))
    ) {
      throw new ApiError("INVALID_REQUEST", "the body must be a JSON object", {
        hint: `see the route's schema in GET ${API_PREFIX}/openapi.json`,
      });
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const answer = errorAnswer(err);
    if (answer.internal) request.log.error({ err }, "request failed");
    return reply.status(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        body(
          "NOT_FOUND",
          `no route ${request.method} ${request.url.split("?")[0]}`,
          `routes: GET ${API_PREFIX}/openapi.json`,
        ),
      ),
  );

  app.get(
    `${API_PREFIX}/health`,
    { schema: { summary: "Liveness: answers without a token", tags: ["meta"] }, config: { role: "none" } },
    async () => ({ ok: true }),
  );
  let openapi: object | undefined;
  app.get(
    `${API_PREFIX}/openapi.json`,
    { schema: { summary: "This API as an OpenAPI 3.1 document", tags: ["meta"] }, config: { role: "none" } },
    async () => {
      openapi ??= buildOpenApi(routes);
      return openapi;
    },
  );
  for (const plugin of routePlugins) await app.register(plugin, { prefix: API_PREFIX });
  return app;
}
