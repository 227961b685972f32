/**
 * Builds an OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0) from the routes' fastify
 * schemas, collected by an onRoute hook: the schema that validates a request is the one that
 * documents it, so the two cannot drift apart. OpenAPI 3.1 uses JSON Schema 2020-12, a superset of
 * what the routes write, so request schemas are copied as they are.
 */

type JsonSchema = { readonly [key: string]: unknown };

export interface DocumentedRoute {
  readonly method: string | readonly string[];
  readonly url: string;
  readonly schema?: {
    readonly summary?: string;
    readonly description?: string;
    readonly tags?: readonly string[];
    readonly body?: JsonSchema;
    readonly querystring?: JsonSchema;
    readonly params?: JsonSchema;
  };
  readonly role: string;
}

function parameters(where: "query" | "path", schema: JsonSchema | undefined): object[] {
  const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    ...(typeof s.description === "string" ? { description: s.description } : {}),
    schema: s,
  }));
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: { type: "string", description: "stable code, e.g. CONFIG_POLICY_REFUSED" },
    message: { type: "string" },
    hint: { type: "string", description: "what to do about it" },
  },
  additionalProperties: true,
};

export function buildOpenApi(routes: readonly DocumentedRoute[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
    const methods = (Array.isArray(r.method) ? r.method : [r.method]) as string[];
    for (const method of methods) {
      const s = r.schema ?? {};
      const op: Record<string, unknown> = {
        summary: s.summary ?? `${method} ${path}`,
        ...(s.description === undefined ? {} : { description: s.description }),
        ...(s.tags === undefined ? {} : { tags: s.tags }),
        "x-rampart-role": r.role,
        security: r.role === "none" ? [] : [{ bearer: [] }],
        parameters: [...parameters("path", s.params), ...parameters("query", s.querystring)],
        responses: {
          "2XX": { description: "success (JSON)" },
          default: {
            description: "error",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        },
      };
      if (s.body !== undefined) {
        op.requestBody = { required: true, content: { "application/json": { schema: s.body } } };
      }
      paths[path] ??= {};
      paths[path][method.toLowerCase()] = op;
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Rampart control plane API",
      version: "1",
      description:
        "Config as code with guardrails: validate, plan, apply, roll back; API tokens; the event log. " +
        "Roles: viewer < operator < admin; gateway tokens only where x-rampart-role says so.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "rmp_... API token" } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
