/**
 * API token routes (admin only): create (the clear token is in the answer once, never stored),
 * list, revoke. Each change is an event naming the admin who made it.
 */
import { StoreError } from "../../store/errors.js";
import { TOKEN_ROLES, type TokenRole } from "../../store/tokens.js";
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

export const tokenRoutes: ApiPlugin = async (app) => {
  const admin = app.auth.require("admin");

  app.post<{ Body: { name: string; role: TokenRole } }>(
    "/tokens",
    {
      schema: {
        summary: "Create an API token; the answer holds the clear token, shown only once",
        tags: ["tokens"],
        body: {
          type: "object",
          required: ["name", "role"],
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, maxLength: 200, pattern: "\\S" },
            role: { type: "string", enum: [...TOKEN_ROLES] },
          },
        },
      },
      config: { role: "admin" },
      preHandler: admin,
    },
    async (req, reply) => {
      const by = app.auth.principal(req).name;
      const { id, token } = app.store.tokens.create(req.body.name, req.body.role);
      app.store.events.append({
        kind: "token.created",
        severity: "info",
        source: "control-plane",
        subject: `token:${id}`,
        data: { id, name: req.body.name, role: req.body.role, by },
      });
      return reply.status(201).send({ id, name: req.body.name, role: req.body.role, token });
    },
  );

  app.get(
    "/tokens",
    {
      schema: { summary: "API tokens (names, roles, last use; never the secrets)", tags: ["tokens"] },
      config: { role: "admin" },
      preHandler: admin,
    },
    async () => ({ tokens: app.store.tokens.list() }),
  );

  app.delete<{ Params: { id: number } }>(
    "/tokens/:id",
    {
      schema: {
        summary: "Revoke an API token (final; the row is kept)",
        tags: ["tokens"],
        params: { type: "object", required: ["id"], properties: { id: { type: "integer", minimum: 1 } } },
      },
      config: { role: "admin" },
      preHandler: admin,
    },
    async (req) => {
      const by = app.auth.principal(req).name;
      try {
        app.store.tokens.revoke(req.params.id);
      } catch (err) {
        if (err instanceof StoreError && err.code === "STORE_NOT_FOUND") {
          throw new ApiError("TOKEN_NOT_FOUND", `no API token ${req.params.id}`, {
            hint: "GET /api/v1/tokens lists them",
          });
        }
        throw err;
      }
      const t = app.store.tokens.list().find((x) => x.id === req.params.id);
      app.store.events.append({
        kind: "token.revoked",
        severity: "info",
        source: "control-plane",
        subject: `token:${req.params.id}`,
        data: { id: req.params.id, name: t?.name ?? null, by },
      });
      return { id: req.params.id, revokedAt: t?.revokedAt ?? null };
    },
  );
};
