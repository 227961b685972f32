/**
 * Config routes: the live version, validate / plan / apply / rollback through the policies, the
 * version history and the diff between two stored versions. The cores (src/config/versions.ts) do
 * the work and the store's transaction makes an apply atomic; this file maps HTTP to them and
 * records the token's name as the author of every change.
 */
import { ConfigError } from "../../config/errors.js";
import { parseConfig } from "../../config/load.js";
import { formatPlan, planChange } from "../../config/plan.js";
import { evaluatePolicies, failingErrors } from "../../config/policies/evaluate.js";
import type { Actor, OverrideRequest } from "../../config/policies/overrides.js";
import { type RampartConfig, rampartConfigSchema } from "../../config/schema.js";
import { applyConfig, policySettings, proposeConfig, rollbackTo } from "../../config/versions.js";
import { scheduleRollout } from "../../control/rollout.js";
import { StoreError } from "../../store/errors.js";
import type { ConfigVersion, ConfigVersionSummary } from "../../store/versions.js";
import type { Principal } from "../auth.js";
import { ApiError } from "../errors.js";
import type { ApiPlugin } from "../plugin.js";

const documentField = { type: "string", description: "the rampart.yaml text" } as const;
/** Body of validate and plan: a document, and the file name its errors should name. */
const documentBodySchema = {
  type: "object",
  required: ["document"],
  properties: { document: documentField, file: { type: "string" } },
} as const;
const overridesField = {
  type: "array",
  maxItems: 50,
  description:
    "admin only: apply despite these overridable policies, each with a reason stored on the version",
  items: {
    type: "object",
    required: ["policy", "reason"],
    additionalProperties: false,
    properties: { policy: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1 } },
  },
} as const;
const expectParentField = {
  type: ["integer", "null"],
  description:
    "the version the change was planned against (null: none); refused with 409 if another landed since",
} as const;
const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "integer", minimum: 1 } },
} as const;

interface DocumentBody {
  document: string;
  file?: string;
}
interface ApplyBody extends DocumentBody {
  message: string;
  overrides?: OverrideRequest[];
  expectParent?: number | null;
}
interface RollbackBody {
  version?: number;
  message?: string;
  overrides?: OverrideRequest[];
  expectParent?: number | null;
}

/** A version as the API shows it: `version` is its id. */
export function versionSummary(v: ConfigVersionSummary) {
  return {
    version: v.id,
    hash: v.hash,
    author: v.author,
    createdAt: v.createdAt,
    message: v.message,
    kind: v.kind,
    overrides: v.overrides,
    parentId: v.parentId,
    rollbackOf: v.rollbackOf,
    rolloutState: v.rolloutState,
  };
}

function versionFull(v: ConfigVersion) {
  return { ...versionSummary(v), document: v.document };
}

function actorOf(p: Principal): Actor {
  // Routes that change config require operator or above, so a gateway token never gets here.
  return { name: p.name, role: p.role === "gateway" ? "viewer" : p.role };
}

/** Overrides are an admin's decision: an operator asking for one is told so before anything runs. */
function checkOverrides(p: Principal, overrides: readonly OverrideRequest[] | undefined): void {
  if (overrides !== undefined && overrides.length > 0 && p.role !== "admin") {
    throw new ApiError(
      "FORBIDDEN",
      `token "${p.name}" has role ${p.role}; overriding a policy needs an admin token`,
      {
        hint: "fix the config, or ask an admin to apply it with the override and a reason",
        details: { role: p.role, needs: "admin" },
      },
    );
  }
}

/** A stored version's config under today's schema (the YAML, else its canonical JSON). */
function storedConfig(v: ConfigVersion): RampartConfig {
  try {
    return parseConfig(v.document, `version ${v.id}`);
  } catch {
    const parsed = rampartConfigSchema.safeParse(JSON.parse(v.canonical));
    if (parsed.success) return parsed.data;
    throw new ApiError("CONFIG_INVALID", `version ${v.id} no longer validates against this Rampart's schema`);
  }
}

function getVersion(app: Parameters<ApiPlugin>[0], id: number): ConfigVersion {
  const v = app.store.versions.get(id);
  if (v === undefined) {
    throw new ApiError("VERSION_NOT_FOUND", `no config version ${id}`, {
      hint: "GET /api/v1/config/versions lists them",
    });
  }
  return v;
}

export const configRoutes: ApiPlugin = async (app) => {
  const viewer = app.auth.require("viewer");
  const operator = app.auth.require("operator");

  app.get(
    "/config",
    {
      schema: { summary: "The live config version with its document", tags: ["config"] },
      config: { role: "viewer" },
      // Gateways read what they should run.
      preHandler: app.auth.require("viewer", { gateway: true }),
    },
    async () => {
      const v = app.store.versions.latest();
      if (v === undefined) {
        throw new ApiError("NO_CONFIG", "no config has been applied yet", {
          hint: "rampart config apply FILE -m MESSAGE",
        });
      }
      return versionFull(v);
    },
  );

  app.post<{ Body: DocumentBody }>(
    "/config/validate",
    {
      schema: {
        summary: "Validate a document: schema, then policies against the live version",
        tags: ["config"],
        body: documentBodySchema,
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      try {
        const p = proposeConfig(app.store, {
          document: req.body.document,
          file: req.body.file ?? "rampart.yaml",
        });
        const blocking = failingErrors(p.verdicts);
        return {
          ok: blocking.length === 0,
          valid: true,
          issues: [],
          verdicts: p.verdicts,
          blocking: blocking.map((v) => v.policy),
          hash: p.hash,
          against: p.previous?.id ?? null,
        };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return {
          ok: false,
          valid: false,
          issues: err.issues,
          verdicts: [],
          blocking: [],
          hash: null,
          against: null,
        };
      }
    },
  );

  app.post<{ Body: DocumentBody }>(
    "/config/plan",
    {
      schema: {
        summary: "What applying the document would change, and what the policies say",
        tags: ["config"],
        body: documentBodySchema,
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const p = proposeConfig(app.store, {
        document: req.body.document,
        file: req.body.file ?? "rampart.yaml",
      });
      return {
        plan: p.plan,
        text: formatPlan(p.plan, { color: false }),
        verdicts: p.verdicts,
        hash: p.hash,
        unchanged: p.unchanged,
        against: p.previous?.id ?? null,
      };
    },
  );

  app.post<{ Body: ApplyBody }>(
    "/config/apply",
    {
      schema: {
        summary: "Store the document as a new version if every policy passes (or is overridden by an admin)",
        tags: ["config"],
        body: {
          type: "object",
          required: ["document", "message"],
          properties: {
            document: documentField,
            file: { type: "string" },
            message: { type: "string", maxLength: 2000, description: "why, as in a commit message" },
            overrides: overridesField,
            expectParent: expectParentField,
          },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req, reply) => {
      const principal = app.auth.principal(req);
      checkOverrides(principal, req.body.overrides);
      const r = applyConfig(app.store, {
        document: req.body.document,
        file: req.body.file ?? "rampart.yaml",
        actor: actorOf(principal),
        message: req.body.message,
        ...(req.body.overrides === undefined ? {} : { overrides: req.body.overrides }),
        ...(req.body.expectParent === undefined ? {} : { expectParent: req.body.expectParent }),
      });
      if (!r.unchanged) scheduleRollout(app.store, r.version.id); // to the fleet (src/control/rollout.ts)
      return reply.status(r.unchanged ? 200 : 201).send({
        version: r.version.id,
        hash: r.version.hash,
        kind: r.version.kind,
        overrides: r.unchanged ? [] : r.version.overrides,
        unchanged: r.unchanged,
        warnings: r.plan.verdicts.filter((v) => !v.ok && v.severity === "warning"),
        unusedOverrides: r.decision.unused,
        summary: r.plan.summary,
      });
    },
  );

  app.post<{ Body: RollbackBody }>(
    "/config/rollback",
    {
      schema: {
        summary: "Append a new version equal to an older one (default: the live version's parent)",
        tags: ["config"],
        body: {
          type: "object",
          properties: {
            version: { type: "integer", minimum: 1 },
            message: { type: "string", maxLength: 2000 },
            overrides: overridesField,
            expectParent: expectParentField,
          },
        },
      },
      config: { role: "operator" },
      preHandler: operator,
    },
    async (req, reply) => {
      const principal = app.auth.principal(req);
      const body = req.body ?? {};
      checkOverrides(principal, body.overrides);
      let target = body.version;
      if (target === undefined) {
        const live = app.store.versions.latest();
        if (live === undefined)
          throw new ApiError("NO_CONFIG", "no config has been applied yet: nothing to roll back");
        if (live.parentId === null) {
          throw new ApiError(
            "VERSION_NOT_FOUND",
            `version ${live.id} is the first one: there is no earlier version`,
            {
              hint: "name the version to roll back to",
            },
          );
        }
        target = live.parentId;
      }
      getVersion(app, target);
      try {
        const r = rollbackTo(app.store, target, {
          actor: actorOf(principal),
          ...(body.message === undefined ? {} : { message: body.message }),
          ...(body.overrides === undefined ? {} : { overrides: body.overrides }),
          ...(body.expectParent === undefined ? {} : { expectParent: body.expectParent }),
        });
        if (!r.unchanged) scheduleRollout(app.store, r.version.id);
        return reply.status(r.unchanged ? 200 : 201).send({
          version: r.version.id,
          hash: r.version.hash,
          kind: r.version.kind,
          rollbackOf: r.unchanged ? null : r.version.rollbackOf,
          overrides: r.unchanged ? [] : r.version.overrides,
          unchanged: r.unchanged,
        });
      } catch (err) {
        if (err instanceof StoreError && err.code === "STORE_NOT_FOUND") {
          throw new ApiError("VERSION_NOT_FOUND", err.message);
        }
        throw err;
      }
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    "/config/versions",
    {
      schema: {
        summary: "Stored versions, newest first, without their documents",
        tags: ["config"],
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
            before: { type: "integer", minimum: 1, description: "page back: versions with an id below this" },
          },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const list = app.store.versions.list({
        limit,
        ...(req.query.before === undefined ? {} : { before: req.query.before }),
      });
      const last = list.at(-1);
      return {
        versions: list.map(versionSummary),
        next: list.length === limit && last !== undefined && last.id > 1 ? last.id : null,
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/config/versions/:id",
    {
      schema: { summary: "One stored version with its document", tags: ["config"], params: idParams },
      config: { role: "viewer" },
      preHandler: app.auth.require("viewer", { gateway: true }),
    },
    async (req) => versionFull(getVersion(app, req.params.id)),
  );

  app.get<{ Querystring: { a: number; b: number } }>(
    "/config/diff",
    {
      schema: {
        summary: "The plan from stored version a to stored version b, with b's verdicts against a",
        tags: ["config"],
        querystring: {
          type: "object",
          required: ["a", "b"],
          properties: { a: { type: "integer", minimum: 1 }, b: { type: "integer", minimum: 1 } },
        },
      },
      config: { role: "viewer" },
      preHandler: viewer,
    },
    async (req) => {
      const a = storedConfig(getVersion(app, req.query.a));
      const b = storedConfig(getVersion(app, req.query.b));
      const verdicts = evaluatePolicies(b, { previous: a, settings: policySettings(app.store) });
      const plan = planChange(a, b, verdicts);
      return { a: req.query.a, b: req.query.b, plan, text: formatPlan(plan, { color: false }), verdicts };
    },
  );
};
