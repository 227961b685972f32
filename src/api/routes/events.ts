/** The event log, oldest first, for timelines and `rampart events`; `after` tails it by id. */
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

interface EventsQuery {
  since?: string;
  after?: number;
  kinds?: string;
  limit?: number;
}

export const eventRoutes: ApiPlugin = async (app) => {
  app.get<{ Querystring: EventsQuery }>(
    "/events",
    {
      schema: {
        summary: "Events, oldest first",
        tags: ["events"],
        querystring: {
          type: "object",
          properties: {
            since: { type: "string", description: "ISO 8601 time: events at or after it" },
            after: {
              type: "integer",
              minimum: 0,
              description: "events with an id above this (tailing cursor)",
            },
            kinds: {
              type: "string",
              description: "comma-separated kinds, e.g. config.applied,config.refused",
            },
            limit: { type: "integer", minimum: 1, maximum: 10000, default: 100 },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const q = req.query;
      let since: Date | undefined;
      if (q.since !== undefined) {
        since = new Date(q.since);
        if (Number.isNaN(since.getTime())) {
          throw new ApiError("INVALID_REQUEST", `since=${JSON.stringify(q.since)} is not a time`, {
            hint: "use ISO 8601, e.g. 2026-01-31T12:00:00Z",
          });
        }
      }
      const kinds = q.kinds
        ?.split(",")
        .map((k) => k.trim())
        .filter((k) => k !== "");
      const limit = q.limit ?? 100;
      const events = app.store.events.list({
        limit,
        ...(since === undefined ? {} : { since }),
        ...(q.after === undefined ? {} : { afterId: q.after }),
        ...(kinds === undefined || kinds.length === 0 ? {} : { kinds }),
      });
      return { events, next: events.at(-1)?.id ?? q.after ?? null };
    },
  );
};
