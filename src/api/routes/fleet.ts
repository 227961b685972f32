/**
 * Fleet routes: what gateways call about themselves (their assigned config, by long poll, and their
 * attestation) and what people read (the fleet table) or set (the rollout strategy). The registry,
 * drift and rollout logic live in src/control/; this file maps HTTP onto them.
 *
 * - GET  /fleet/gateways/:id/config?known=V&wait=S&tags=a,b   (gateway) answers at once when the
 *   assigned version differs from `known`, else waits up to S seconds (max 60), then answers 200
 *   with the same version and no document. 404 NO_CONFIG before the first apply.
 * - POST /fleet/gateways/:id/attest                          (gateway) -> { drift: [...] }
 * - GET  /fleet                                              (viewer)  -> { gateways, rollout }
 * - PUT  /fleet/strategy {kind, canaries?, gate?}             (operator) strategy of later applies
 * - POST /fleet/rollouts {version, strategy?}                 (operator) rolls a stored version out
 */
import type { Attestation } from "../../control/drift.js";
import { fleetFor } from "../../control/fleet.js";
import { parseStrategy, SETTING_ROLLOUT_STRATEGY, startRollout } from "../../control/rollout.js";
import type { JsonValue } from "../../store/json.js";
import { requireGatewayId } from "../auth.js";
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

const MAX_WAIT_S = 60;

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$" } },
} as const;

const strategySchema = {
  type: "object",
  required: ["kind"],
  properties: {
    kind: { type: "string", enum: ["all", "canary"] },
    canaries: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 1000 },
    gate: { type: "object", additionalProperties: { type: "number", minimum: 0 } },
  },
} as const;

const secondSchema = {
  type: "object",
  required: ["t", "requests", "s5xx", "blocked", "p99Ms"],
  properties: {
    t: { type: "integer" },
    requests: { type: "number", minimum: 0 },
    s5xx: { type: "number", minimum: 0 },
    blocked: { type: "number", minimum: 0 },
    p99Ms: { type: "number", minimum: 0 },
  },
} as const;

const attestSchema = {
  type: "object",
  required: [
    "tags",
    "pid",
    "host",
    "configVersion",
    "configHash",
    "controlConnected",
    "waf",
    "routes",
    "seconds",
  ],
  properties: {
    tags: { type: "array", items: { type: "string" }, maxItems: 100 },
    pid: { type: "integer" },
    host: { type: "string", maxLength: 255 },
    listen: { type: "string", maxLength: 300 },
    admin: { type: "string", maxLength: 300 },
    configVersion: { type: ["integer", "null"] },
    configHash: { type: ["string", "null"], maxLength: 64 },
    controlConnected: { type: "boolean" },
    lastError: { type: "string", maxLength: 2000 },
    waf: {
      type: "object",
      required: ["mode", "rules", "modules"],
      properties: {
        mode: { type: "string" },
        ruleSetHash: { type: "string" },
        rules: { type: "integer", minimum: 0 },
        modules: {
          type: "array",
          maxItems: 200,
          items: {
            type: "object",
            required: ["name", "state", "rules"],
            properties: { name: { type: "string" }, state: { type: "string" }, rules: { type: "integer" } },
          },
        },
      },
    },
    routes: { type: "array", maxItems: 10_000, items: { type: "object" } },
    seconds: { type: "array", maxItems: 600, items: secondSchema },
  },
} as const;

function tagList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

export const fleetRoutes: ApiPlugin = async (app) => {
  const fleet = fleetFor(app.store);
  fleet.start();
  // preClose: waiting long polls must end before the server waits for its connections to close.
  app.addHook("preClose", async () => fleet.stop());

  app.get<{ Params: { id: string }; Querystring: { known?: number; wait?: number; tags?: string } }>(
    "/fleet/gateways/:id/config",
    {
      config: { role: "gateway" },
      preHandler: app.auth.require("gateway"),
      schema: {
        summary: "The config version assigned to this gateway (long poll: waits while it equals `known`)",
        tags: ["fleet"],
        params: idParams,
        querystring: {
          type: "object",
          properties: {
            known: { type: "integer", minimum: 0 },
            wait: { type: "number", minimum: 0, maximum: MAX_WAIT_S },
            tags: { type: "string", maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireGatewayId(app.auth.principal(request), id);
      const { known, wait, tags } = request.query;
      const abort = new AbortController();
      request.raw.once("close", () => abort.abort());
      const a = await fleet.waitForAssignment(id, tagList(tags), known, (wait ?? 0) * 1000, abort.signal);
      if (a === undefined) {
        throw new ApiError("NO_CONFIG", "no config version has been applied yet", {
          hint: "apply one with `rampart config apply FILE -m MESSAGE`",
        });
      }
      reply.header("cache-control", "no-store");
      return a.version === known ? { version: a.version, hash: a.hash } : a;
    },
  );

  app.post<{ Params: { id: string }; Body: Omit<Attestation, "id"> }>(
    "/fleet/gateways/:id/attest",
    {
      config: { role: "gateway" },
      preHandler: app.auth.require("gateway"),
      bodyLimit: 1024 * 1024,
      schema: {
        summary:
          "A gateway reports what really runs: version, hash, WAF modules, routes, per-second counters",
        tags: ["fleet"],
        params: idParams,
        body: attestSchema,
      },
    },
    async (request) => {
      requireGatewayId(app.auth.principal(request), request.params.id);
      const drift = fleet.attest({ ...request.body, id: request.params.id });
      return {
        drift: drift.map((r) => ({
          code: r.code,
          message: r.message,
          ...(r.module ? { module: r.module } : {}),
        })),
      };
    },
  );

  app.get("/fleet", { config: { role: "viewer" }, preHandler: app.auth.require("viewer") }, async () => ({
    gateways: fleet.list(),
    rollout: fleet.rollout.status(),
  }));

  app.put<{ Body: JsonValue }>(
    "/fleet/strategy",
    {
      config: { role: "operator" },
      preHandler: app.auth.require("operator"),
      schema: { body: strategySchema },
    },
    async (request) => {
      const strategy = parseStrategy(request.body);
      if (strategy === undefined) {
        throw new ApiError(
          "INVALID_REQUEST",
          "a strategy is {kind: all} or {kind: canary, canaries: [ids or tags]}",
        );
      }
      app.store.settings.set(
        SETTING_ROLLOUT_STRATEGY,
        strategy as unknown as JsonValue,
        app.auth.principal(request).name,
      );
      return { strategy };
    },
  );

  app.post<{ Body: { version: number; strategy?: JsonValue } }>(
    "/fleet/rollouts",
    {
      config: { role: "operator" },
      preHandler: app.auth.require("operator"),
      schema: {
        summary: "Roll a stored version out to the fleet",
        tags: ["fleet"],
        body: {
          type: "object",
          required: ["version"],
          properties: { version: { type: "integer", minimum: 1 }, strategy: strategySchema },
        },
      },
    },
    async (request, reply) => {
      const { version } = request.body;
      if (app.store.versions.get(version) === undefined) {
        throw new ApiError("VERSION_NOT_FOUND", `no config version ${version}`);
      }
      const strategy = request.body.strategy === undefined ? undefined : parseStrategy(request.body.strategy);
      if (request.body.strategy !== undefined && strategy === undefined) {
        throw new ApiError(
          "INVALID_REQUEST",
          "a strategy is {kind: all} or {kind: canary, canaries: [ids or tags]}",
        );
      }
      startRollout(app.store, version, strategy);
      reply.code(202);
      return { version, rollout: fleet.rollout.status() };
    },
  );
};
