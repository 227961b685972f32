/**
 * Alert routes: the alerts as they stand (silenced and inhibited ones included, marked) and the
 * silences. The alerting itself (src/alerts/alerting.ts) runs with the API: started here, fed by the
 * monitor's seconds and the fleet's drift events, stopped before the server closes.
 *
 * - GET    /alerts?state=pending|firing|resolved&limit=  (viewer)   newest first; default pending
 *   and firing (comma-separated); open alerts carry `whatChanged`, the top 3 changes before them
 * - GET    /silences                                     (viewer)   all, expired included, newest first
 * - POST   /silences {matchers, endsAt | duration, startsAt?, comment}   (operator) 201 with the silence
 * - DELETE /silences/:id                                 (operator) expires it now (kept for history)
 */
import { alertsFor } from "../../alerts/alerting.js";
import { parseDuration } from "../../alerts/duration.js";
import { AlertsError } from "../../alerts/errors.js";
import type { AlertState } from "../../alerts/types.js";
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

const STATES: readonly AlertState[] = ["pending", "firing", "resolved"];

const silenceBody = {
  type: "object",
  required: ["matchers", "comment"],
  additionalProperties: false,
  properties: {
    matchers: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: { type: "string", minLength: 1, maxLength: 1100 },
      description: 'label matchers: route="checkout", alertname=~"surge|traffic-drop", gateway!=edge-2',
    },
    startsAt: { type: "string", description: "ISO 8601; default now" },
    endsAt: { type: "string", description: "ISO 8601; give this or duration" },
    duration: { type: "string", description: "from startsAt, e.g. 2h, 30m" },
    comment: { type: "string", minLength: 1, maxLength: 2000 },
  },
} as const;

interface SilenceBody {
  matchers: string[];
  startsAt?: string;
  endsAt?: string;
  duration?: string;
  comment: string;
}

/** Bad silence input is a 400 INVALID_REQUEST with the reason; an unknown id a 404. */
function apiError(err: unknown): unknown {
  if (!(err instanceof AlertsError)) return err;
  if (err.code === "SILENCE_NOT_FOUND") {
    return new ApiError("NOT_FOUND", err.message, err.hint === undefined ? undefined : { hint: err.hint });
  }
  return new ApiError("INVALID_REQUEST", err.message, {
    ...(err.hint === undefined ? {} : { hint: err.hint }),
    details: { alertsError: err.code },
  });
}

export const alertRoutes: ApiPlugin = async (app) => {
  const alerting = alertsFor(app.store);
  alerting.start();
  app.addHook("preClose", async () => alerting.stop());

  app.get<{ Querystring: { state?: string; limit?: number } }>(
    "/alerts",
    {
      schema: {
        summary: "Alerts, newest first, with silencedBy and inhibitedBy",
        tags: ["alerts"],
        querystring: {
          type: "object",
          properties: {
            state: {
              type: "string",
              description: "pending, firing, resolved (comma-separated); default pending,firing",
            },
            limit: { type: "integer", minimum: 1, maximum: 10000, default: 500 },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const states = req.query.state
        ?.split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      const unknown = states?.filter((s) => !(STATES as readonly string[]).includes(s)) ?? [];
      if (unknown.length > 0) {
        throw new ApiError("INVALID_REQUEST", `unknown alert state ${JSON.stringify(unknown[0])}`, {
          hint: `states: ${STATES.join(", ")}`,
        });
      }
      const alerts = alerting.list({
        limit: req.query.limit ?? 500,
        ...(states === undefined || states.length === 0 ? {} : { states: states as AlertState[] }),
      });
      // Open alerts carry the top of "what changed" before them; resolved ones are history.
      const changes = alerting.whatChangedFor(alerts.filter((a) => a.state !== "resolved"));
      return {
        alerts: alerts.map((a) => {
          const c = changes.get(a.fingerprint);
          return c === undefined ? a : { ...a, whatChanged: c };
        }),
        ...(alerting.lastError === undefined ? {} : { lastError: alerting.lastError }),
      };
    },
  );

  app.get(
    "/silences",
    {
      schema: { summary: "Silences, newest first, expired ones included", tags: ["alerts"] },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async () => ({ silences: alerting.silences() }),
  );

  app.post<{ Body: SilenceBody }>(
    "/silences",
    {
      schema: { summary: "Silence the alerts that match, for a while", tags: ["alerts"], body: silenceBody },
      config: { role: "operator" },
      preHandler: app.auth.require("operator"),
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const silence = alerting.addSilence({
          matchers: b.matchers,
          ...(b.startsAt === undefined ? {} : { startsAt: b.startsAt }),
          ...(b.endsAt === undefined ? {} : { endsAt: b.endsAt }),
          ...(b.duration === undefined ? {} : { durationMs: parseDuration(b.duration, "duration") }),
          createdBy: app.auth.principal(req).name,
          comment: b.comment,
        });
        reply.code(201);
        return { silence };
      } catch (err) {
        throw apiError(err);
      }
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/silences/:id",
    {
      schema: {
        summary: "Expire a silence now (it is kept, as expired)",
        tags: ["alerts"],
        params: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 64 } } },
      },
      config: { role: "operator" },
      preHandler: app.auth.require("operator"),
    },
    async (req) => {
      try {
        return { silence: alerting.expireSilence(req.params.id, app.auth.principal(req).name) };
      } catch (err) {
        throw apiError(err);
      }
    },
  );
};
