/**
 * Traffic series for people and the dashboard (viewer role):
 * - GET /series?name=&route=|gateway=&module=&from=&to=&step=   one series over a range
 * - GET /series/names                                           series names, routes and gateways
 * - GET /series/top?limit=&window=                              the busiest routes now
 * - GET /series/stats                                           memory held, late/malformed data dropped
 * - GET /series/distinct-clients?from=&to=&route=|gateway=&failed=   distinct clients over a window
 * Times are ISO 8601, Unix seconds or a duration ago (`10m`); counters are per-second rates
 * averaged over the step. The monitor itself is src/monitor/series.
 */
import { monitorFor } from "../../monitor/series/monitor.js";
import { SERIES_NAMES } from "../../monitor/series/names.js";
import { parseDurationSeconds, parseTimeSeconds } from "../../monitor/series/time.js";
import type { ApiPlugin } from "../plugin.js";

interface SeriesQuerystring {
  name: string;
  route?: string;
  gateway?: string;
  module?: string;
  from?: string;
  to?: string;
  step?: string;
}

interface WindowQuerystring {
  from?: string;
  to?: string;
  route?: string;
  gateway?: string;
  failed?: boolean;
}

const timeParam = { type: "string", maxLength: 40 } as const;
const labelParam = { type: "string", minLength: 1, maxLength: 200 } as const;

export const seriesRoutes: ApiPlugin = async (app) => {
  const monitor = monitorFor(app.store);
  monitor.start();
  app.addHook("preClose", async () => monitor.stop());
  const nowS = () => Math.floor(Date.now() / 1000);

  app.get<{ Querystring: SeriesQuerystring }>(
    "/series",
    {
      schema: {
        summary: "One traffic series (fleet-wide, one route or one gateway) over a range",
        tags: ["series"],
        querystring: {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string", enum: [...SERIES_NAMES] },
            route: labelParam,
            gateway: labelParam,
            module: { ...labelParam, description: "waf_blocks of one WAF module" },
            from: { ...timeParam, description: "ISO time, Unix seconds or a duration ago (default 10m)" },
            to: { ...timeParam, description: "default: now" },
            step: { type: "string", maxLength: 20, description: "e.g. 10s, 1m (default: by range)" },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const q = req.query;
      const now = nowS();
      const from = parseTimeSeconds(q.from ?? "10m", now, "from");
      const to = q.to === undefined ? now + 1 : parseTimeSeconds(q.to, now, "to");
      const labels: Record<string, string> = {};
      if (q.route !== undefined) labels.route = q.route;
      if (q.gateway !== undefined) labels.gateway = q.gateway;
      if (q.module !== undefined) labels.module = q.module;
      const step = q.step === undefined ? undefined : Math.round(parseDurationSeconds(q.step, "step"));
      return {
        from,
        to,
        ...monitor.query({
          name: q.name,
          labels,
          from,
          to,
          ...(step === undefined ? {} : { stepSeconds: step }),
        }),
      };
    },
  );

  app.get(
    "/series/names",
    {
      schema: { summary: "Series names, and the routes and gateways with series", tags: ["series"] },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async () => ({ names: monitor.names(), ...monitor.labelValues() }),
  );

  app.get(
    "/series/stats",
    {
      schema: {
        summary: "The monitor's own figures: groups and ring memory, late and malformed data dropped",
        tags: ["series"],
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async () => monitor.stats(),
  );

  app.get<{ Querystring: { limit?: number; window?: string } }>(
    "/series/top",
    {
      schema: {
        summary: "The busiest routes now: requests/s, error ratio, p99, blocked, rate-limited, shed",
        tags: ["series"],
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
            window: { type: "string", maxLength: 20, description: "averaging window (default 10s)" },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const windowSeconds = Math.round(parseDurationSeconds(req.query.window ?? "10s", "window"));
      return monitor.top({ windowSeconds, limit: req.query.limit ?? 10 });
    },
  );

  app.get<{ Querystring: WindowQuerystring }>(
    "/series/distinct-clients",
    {
      schema: {
        summary: "Distinct clients over a window (HyperLogLog, ~3 % standard error)",
        tags: ["series"],
        querystring: {
          type: "object",
          properties: {
            from: { ...timeParam, description: "default 1h" },
            to: timeParam,
            route: labelParam,
            gateway: labelParam,
            failed: { type: "boolean", description: "only clients that got a 5xx, block, 429 or shed" },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const q = req.query;
      const now = nowS();
      return monitor.distinctClients({
        from: parseTimeSeconds(q.from ?? "1h", now, "from"),
        to: q.to === undefined ? now + 1 : parseTimeSeconds(q.to, now, "to"),
        ...(q.route === undefined ? {} : { route: q.route }),
        ...(q.gateway === undefined ? {} : { gateway: q.gateway }),
        failed: q.failed === true,
      });
    },
  );
};
