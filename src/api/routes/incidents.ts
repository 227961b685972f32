/**
 * Incident routes: incidents and their lifecycle, notes, roles, timeline and postmortem, the
 * postmortem's action items, and runbooks written from the live state. The rules live in
 * src/incidents/; this file maps HTTP onto them. Starts the incident service's tick (alerts in,
 * escalation out) with the API, and sends its pages through the notification dispatcher.
 *
 * - GET  /incidents?state=open|resolved|all&limit=N       (viewer)
 * - POST /incidents {title, severity?, service?, onsetAt?, runbook?, as?}   (operator)
 * - GET  /incidents/:id                                    (viewer) incident, alerts, entries, actions
 * - POST /incidents/:id/ack|mitigate|resolve {note?, as?}  (operator)
 * - POST /incidents/:id/notes {text, as?}                  (operator)
 * - POST /incidents/:id/assign {role, person, remove?, as?}  (operator)
 * - POST /incidents/:id/severity {severity, as?}           (operator)
 * - GET  /incidents/:id/timeline                           (viewer)
 * - GET  /incidents/:id/postmortem?format=json|md&tz=UTC   (viewer)
 * - GET  /actions?incident=N&open=true, POST /incidents/:id/actions, POST /actions/:id/done
 * - GET  /runbooks, GET /runbooks/:name?route=R&incident=N (viewer)
 *
 * `as` names the person acting when a token is shared (default: the token's name).
 */
import type { FastifyRequest } from "fastify";
import { dispatcherFor } from "../../alerts/notifiers/dispatcher.js";
import { IncidentError } from "../../incidents/errors.js";
import { renderPostmortemMarkdown } from "../../incidents/postmortem.js";
import { incidentPostmortem, incidentTimeline, runbookText } from "../../incidents/report.js";
import { RUNBOOKS } from "../../incidents/runbooks/index.js";
import { incidentsFor } from "../../incidents/service.js";
import {
  ACTION_KINDS,
  type ActionKind,
  INCIDENT_ROLES,
  INCIDENT_SEVERITIES,
  type IncidentRole,
  type IncidentSeverity,
} from "../../incidents/types.js";
import { monitorFor } from "../../monitor/series/monitor.js";
import type { ApiPlugin } from "../plugin.js";

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "integer", minimum: 1 } },
} as const;

const asField = {
  type: "string",
  minLength: 1,
  maxLength: 200,
  description: "the person acting (default: the token's name)",
};

interface StepBody {
  note?: string;
  as?: string;
}

export const incidentRoutes: ApiPlugin = async (app) => {
  const viewer = app.auth.require("viewer");
  const operator = app.auth.require("operator");
  const svc = incidentsFor(app.store);
  // Whoever created the service first (a drill, a test), its pages go through the dispatcher.
  svc.setSink(dispatcherFor(app.store));
  svc.start();
  app.addHook("preClose", async () => svc.stop());

  const actor = (req: FastifyRequest, as: string | undefined) => as?.trim() || app.auth.principal(req).name;
  const now = () => Date.now();

  app.get<{ Querystring: { state?: "open" | "resolved" | "all"; limit?: number } }>(
    "/incidents",
    {
      schema: {
        summary: "Incidents, newest first",
        tags: ["incidents"],
        querystring: {
          type: "object",
          properties: {
            state: { type: "string", enum: ["open", "resolved", "all"], default: "all" },
            limit: { type: "integer", minimum: 1, maximum: 10000, default: 100 },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const state = req.query.state ?? "all";
      return {
        incidents: svc.repo.list({
          ...(state === "all" ? {} : { open: state === "open" }),
          limit: req.query.limit ?? 100,
        }),
      };
    },
  );

  app.post<{
    Body: {
      title: string;
      severity?: IncidentSeverity;
      service?: string;
      onsetAt?: string;
      runbook?: string;
      as?: string;
    };
  }>(
    "/incidents",
    {
      schema: {
        summary: "Open an incident by hand",
        tags: ["incidents"],
        body: {
          type: "object",
          required: ["title"],
          properties: {
            title: { type: "string", minLength: 1, maxLength: 500 },
            severity: { type: "string", enum: [...INCIDENT_SEVERITIES] },
            service: { type: "string", maxLength: 200 },
            onsetAt: { type: "string", description: "ISO 8601: when it began, if before now" },
            runbook: { type: "string" },
            as: asField,
          },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req, reply) => {
      const b = req.body;
      const incident = svc.open({
        title: b.title,
        by: actor(req, b.as),
        ...(b.severity === undefined ? {} : { severity: b.severity }),
        ...(b.service === undefined ? {} : { service: b.service }),
        ...(b.onsetAt === undefined ? {} : { onsetAt: b.onsetAt }),
        ...(b.runbook === undefined ? {} : { runbook: b.runbook }),
      });
      return reply.status(201).send({ incident });
    },
  );

  app.get<{ Params: { id: number } }>(
    "/incidents/:id",
    {
      schema: {
        summary: "One incident with its alerts, entries and action items",
        tags: ["incidents"],
        params: idParams,
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => svc.show(req.params.id),
  );

  const steps: [string, "acknowledge" | "mitigate" | "resolve", string][] = [
    ["ack", "acknowledge", "Acknowledge: someone is on it (stops escalation)"],
    ["mitigate", "mitigate", "Mark mitigated: the impact has stopped"],
    ["resolve", "resolve", "Resolve: the incident is over"],
  ];
  for (const [path, kind, summary] of steps) {
    app.post<{ Params: { id: number }; Body: StepBody }>(
      `/incidents/:id/${path}`,
      {
        schema: {
          summary,
          tags: ["incidents"],
          params: idParams,
          body: {
            type: "object",
            properties: { note: { type: "string", minLength: 1, maxLength: 10000 }, as: asField },
          },
        },
        config: { role: "operator" },
        preHandler: operator,
      },
      async (req) => {
        const b = req.body ?? {};
        return {
          incident: svc.act(req.params.id, { kind }, actor(req, b.as), b.note),
        };
      },
    );
  }

  app.post<{ Params: { id: number }; Body: { text: string; as?: string } }>(
    "/incidents/:id/notes",
    {
      schema: {
        summary: "Add a note to the timeline",
        tags: ["incidents"],
        params: idParams,
        body: {
          type: "object",
          required: ["text"],
          properties: { text: { type: "string", minLength: 1, maxLength: 10000 }, as: asField },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req, reply) =>
      reply.status(201).send({ entry: svc.note(req.params.id, req.body.text, actor(req, req.body.as)) }),
  );

  app.post<{
    Params: { id: number };
    Body: { role: IncidentRole; person: string; remove?: boolean; as?: string };
  }>(
    "/incidents/:id/assign",
    {
      schema: {
        summary: "Set the commander, or add (remove) a responder",
        tags: ["incidents"],
        params: idParams,
        body: {
          type: "object",
          required: ["role", "person"],
          properties: {
            role: { type: "string", enum: [...INCIDENT_ROLES] },
            person: { type: "string", minLength: 1, maxLength: 200 },
            remove: { type: "boolean" },
            as: asField,
          },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req) => {
      const b = req.body;
      return {
        incident: svc.act(
          req.params.id,
          {
            kind: "assign",
            role: b.role,
            person: b.person,
            ...(b.remove === undefined ? {} : { remove: b.remove }),
          },
          actor(req, b.as),
        ),
      };
    },
  );

  app.post<{ Params: { id: number }; Body: { severity: IncidentSeverity; as?: string } }>(
    "/incidents/:id/severity",
    {
      schema: {
        summary: "Change the severity (recorded in the timeline)",
        tags: ["incidents"],
        params: idParams,
        body: {
          type: "object",
          required: ["severity"],
          properties: { severity: { type: "string", enum: [...INCIDENT_SEVERITIES] }, as: asField },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req) => ({
      incident: svc.act(
        req.params.id,
        { kind: "severity", severity: req.body.severity },
        actor(req, req.body.as),
      ),
    }),
  );

  app.get<{ Params: { id: number } }>(
    "/incidents/:id/timeline",
    {
      schema: {
        summary: "Everything recorded in the incident's window, in order, with sources",
        tags: ["incidents"],
        params: idParams,
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const t = incidentTimeline(svc, app.store, req.params.id, {
        nowMs: now(),
        series: monitorFor(app.store),
      });
      return { incident: t.incident.id, window: t.window, entries: t.entries };
    },
  );

  app.get<{ Params: { id: number }; Querystring: { format?: "json" | "md"; tz?: string } }>(
    "/incidents/:id/postmortem",
    {
      schema: {
        summary: "The postmortem written from the incident's data (root cause marked DRAFT)",
        tags: ["incidents"],
        params: idParams,
        querystring: {
          type: "object",
          properties: {
            format: { type: "string", enum: ["json", "md"], default: "json" },
            tz: { type: "string", default: "UTC", description: "IANA time zone every time is shown in" },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const pm = incidentPostmortem(svc, app.store, req.params.id, {
        nowMs: now(),
        series: monitorFor(app.store),
        timeZone: req.query.tz ?? "UTC",
      });
      return req.query.format === "md"
        ? { format: "md", markdown: renderPostmortemMarkdown(pm) }
        : { format: "json", postmortem: pm };
    },
  );

  app.get<{ Querystring: { incident?: number; open?: boolean } }>(
    "/actions",
    {
      schema: {
        summary: "Postmortem action items, oldest first",
        tags: ["incidents"],
        querystring: {
          type: "object",
          properties: { incident: { type: "integer", minimum: 1 }, open: { type: "boolean" } },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      if (req.query.incident !== undefined) svc.repo.require(req.query.incident);
      return {
        actions: svc.repo.actions({
          ...(req.query.incident === undefined ? {} : { incidentId: req.query.incident }),
          ...(req.query.open === undefined ? {} : { open: req.query.open }),
        }),
      };
    },
  );

  app.post<{
    Params: { id: number };
    Body: { title: string; owner: string; due: string; kind?: ActionKind; as?: string };
  }>(
    "/incidents/:id/actions",
    {
      schema: {
        summary: "Add an action item (owner and due date) to the incident's postmortem",
        tags: ["incidents"],
        params: idParams,
        body: {
          type: "object",
          required: ["title", "owner", "due"],
          properties: {
            title: { type: "string", minLength: 1, maxLength: 500 },
            owner: { type: "string", minLength: 1, maxLength: 200 },
            due: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
            kind: { type: "string", enum: [...ACTION_KINDS] },
            as: asField,
          },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req, reply) => {
      const b = req.body;
      const action = svc.addAction({
        incidentId: req.params.id,
        title: b.title,
        owner: b.owner,
        due: b.due,
        by: actor(req, b.as),
        ...(b.kind === undefined ? {} : { kind: b.kind }),
      });
      return reply.status(201).send({ action });
    },
  );

  app.post<{ Params: { id: number }; Body: { as?: string } }>(
    "/actions/:id/done",
    {
      schema: {
        summary: "Mark an action item done",
        tags: ["incidents"],
        params: idParams,
        body: { type: "object", properties: { as: asField } },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req) => ({ action: svc.actionDone(req.params.id, actor(req, req.body?.as)) }),
  );

  app.get(
    "/runbooks",
    {
      schema: { summary: "The built-in runbooks", tags: ["incidents"] },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async () => ({ runbooks: RUNBOOKS.map((r) => ({ name: r.name, title: r.title, when: r.when })) }),
  );

  app.get<{ Params: { name: string }; Querystring: { route?: string; incident?: number } }>(
    "/runbooks/:name",
    {
      schema: {
        summary: "A runbook written from the live state (version, changes, modules live), as markdown",
        tags: ["incidents"],
        params: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string", maxLength: 100 } },
        },
        querystring: {
          type: "object",
          properties: { route: { type: "string", maxLength: 64 }, incident: { type: "integer", minimum: 1 } },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      let route = req.query.route;
      if (req.query.incident !== undefined) {
        // An incident about one route fills that route in.
        const i = svc.repo.require(req.query.incident);
        route ??= /(?:^|,)route=([^,]+)/.exec(i.service)?.[1];
      }
      const r = runbookText(app.store, req.params.name, {
        nowMs: now(),
        ...(route === undefined ? {} : { route }),
        ...(req.query.incident === undefined ? {} : { incidentId: req.query.incident }),
      });
      return { name: r.name, title: r.title, markdown: r.markdown, facts: r.facts };
    },
  );
};
