/**
 * Notification routes: the outbox as people read it, and a test message through a receiver. The
 * dispatcher (src/alerts/notifiers/dispatcher.ts) runs with the API: started here with the
 * receivers of the live config, stopped before the server closes.
 *
 * - GET  /notifications?status=&receiver=&limit=   (viewer)   recent rows, newest first, with
 *   delivery status, attempts and last error; the pending count and each receiver's health
 * - POST /receivers/:name/test {waitS?}            (operator) enqueues a test notification and
 *   waits up to waitS seconds (default 10) for its first attempt; 202 with the row as it stands
 */
import { dispatcherFor, testNotification } from "../../alerts/notifiers/dispatcher.js";
import { followLiveReceivers } from "../../alerts/notifiers/live.js";
import type { DeliveryStatus, NotificationRecord } from "../../alerts/notifiers/outbox.js";
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

const MAX_TEST_WAIT_S = 60;

export const notificationRoutes: ApiPlugin = async (app) => {
  const dispatcher = dispatcherFor(app.store);
  const live = followLiveReceivers(app.store, dispatcher);
  dispatcher.start();
  app.addHook("preClose", async () => {
    live.stop();
    await dispatcher.stop();
  });

  app.get<{ Querystring: { status?: DeliveryStatus; receiver?: string; limit?: number } }>(
    "/notifications",
    {
      schema: {
        summary: "Recent notifications, newest first: delivery status, attempts, last error",
        tags: ["notifications"],
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["pending", "sent", "failed"] },
            receiver: { type: "string", minLength: 1, maxLength: 64 },
            limit: { type: "integer", minimum: 1, maximum: 10000, default: 100 },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer"),
    },
    async (req) => {
      const { status, receiver, limit } = req.query;
      const state = dispatcher.status();
      return {
        notifications: dispatcher.list({
          limit: limit ?? 100,
          ...(status === undefined ? {} : { status }),
          ...(receiver === undefined ? {} : { receiver }),
        }),
        pending: state.pending,
        receivers: state.receivers,
        health: state.health,
        ...(live.lastError === undefined ? {} : { configError: live.lastError }),
      };
    },
  );

  app.post<{ Params: { name: string }; Body: { waitS?: number } | undefined }>(
    "/receivers/:name/test",
    {
      schema: {
        summary: "Send a test notification through a receiver of the live config",
        tags: ["notifications"],
        params: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" } },
        },
        body: {
          type: "object",
          additionalProperties: false,
          properties: { waitS: { type: "number", minimum: 0, maximum: MAX_TEST_WAIT_S } },
        },
      },
      config: { role: "operator" },
      preHandler: app.auth.require("operator"),
    },
    async (req, reply) => {
      const { name } = req.params;
      // A config applied a moment ago counts: read it now rather than at the next period.
      live.refresh();
      if (dispatcher.receiver(name) === undefined) {
        const known = dispatcher.status().receivers;
        throw new ApiError("NOT_FOUND", `no receiver named ${JSON.stringify(name)} in the live config`, {
          hint:
            known.length === 0
              ? "define receivers under alerts.receivers and apply the config"
              : `receivers: ${known.join(", ")}`,
        });
      }
      const by = app.auth.principal(req).name;
      const stored = dispatcher.enqueue(name, testNotification(name, by, Date.now()));
      app.store.events.append({
        kind: "notification.test",
        severity: "info",
        source: "control-plane",
        subject: `receiver:${name}`,
        data: { receiver: name, id: stored.id, by },
      });
      const abort = new AbortController();
      req.raw.once("close", () => abort.abort());
      const row = await firstAttempt(
        () => dispatcher.get(stored.id),
        (req.body?.waitS ?? 10) * 1000,
        abort.signal,
      );
      reply.code(202);
      return { notification: row ?? stored };
    },
  );
};

/** Polls the row until its first attempt ended (or it was sent), the time is up, or the caller left. */
async function firstAttempt(
  read: () => NotificationRecord | undefined,
  waitMs: number,
  signal: AbortSignal,
): Promise<NotificationRecord | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const row = read();
    if (row === undefined || row.status !== "pending" || row.attempts > 0) return row;
    if (Date.now() >= until || signal.aborted) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
