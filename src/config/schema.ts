/**
 * The schema of rampart.yaml, in one place: zod validates it (strict objects, so a misspelt key is an
 * error rather than a silently ignored setting, which is how the outage in seed/postmortem.md began)
 * and fills in defaults. The comments below are the reference of the file format; the README copies
 * them.
 *
 * ```yaml
 * gateway:
 *   listen: { host: 0.0.0.0, port: 8080 }        # where clients connect
 *   admin: { host: 127.0.0.1, port: 9901 }       # GET /metrics, GET /healthz, POST /reload (loopback)
 *   requestIdHeader: x-request-id                # kept from the client when valid, else generated
 *   trustedProxies: [127.0.0.1/32, "::1/128"]    # X-Forwarded-For is believed only from these
 *   accessLog: stdout                            # stdout | off | PATH (JSON lines)
 *   limits:
 *     maxHeaderBytes: 16384                      # request line + headers; more -> 431
 *     maxUriBytes: 8192                          # more -> 414
 *     maxBodyBytes: 10485760                     # more -> 413, even mid-stream for chunked bodies
 *     methods: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS]   # optional allow-list; others -> 405
 *   timeouts: { headersMs: 10000, idleMs: 60000, shutdownMs: 10000 }
 * upstreams:
 *   shop:                                        # name used by routes
 *     targets: [http://127.0.0.1:3000]           # round robin; origins only (no path)
 *     connectTimeoutMs: 2000                     # -> 504 when exceeded
 *     headersTimeoutMs: 15000                    # -> 504
 *     bodyTimeoutMs: 30000                       # idle time between response body chunks
 *     concurrency: { limit: 50 }                 # or { adaptive: { min: 5, max: 500 } }; omitted = unlimited
 *     queue: { size: 200, timeoutMs: 1000 }      # waiting room when the concurrency limit is reached
 *     passiveHealth: { failures: 5, ejectMs: 10000 }   # consecutive connect failures/5xx eject a target
 * routes:                                        # first match wins, in this order
 *   - name: checkout
 *     match: { pathPrefix: /checkout, host: shop.example, methods: [POST] }   # all optional
 *     upstream: shop
 *     priority: critical                         # critical | high | normal | low
 *     queueTimeoutMs: 2000                       # optional: wait longer (or shorter) than the upstream's queue.timeoutMs
 *     rateLimits:
 *       - { name: per-ip, rate: 10/s, burst: 20, key: [ip] }   # key: ip | route | header:NAME | cookie:NAME
 * waf:                                           # the WAF engine (src/gateway/waf.ts)
 *   mode: blocking                               # blocking | detection-only | off
 *   paranoia: 1                                  # 1..4
 *   crs: builtin                                 # builtin | PATH to a CRS folder
 *   modules: { sqli: on, xss: on }               # on | off, names of CRS rule families (WAF_MODULES)
 *   anomalyThreshold: { inbound: 5, outbound: 4 }
 *   errorLog: stderr                             # stderr | off | PATH: one ModSecurity-format line per matched rule
 *   auditLog: off                                # off | PATH: one JSON record per transaction that matched
 * ```
 */
import { isIP } from "node:net";
import { z } from "zod";
import { alertsSchema } from "../alerts/schema.js";
import { incidentsSchema } from "../incidents/schema.js";
import { parseRate } from "../ratelimit/index.js";
import { WAF_MODULES as WAF_MODULE_LIST } from "../waf/crs/modules.js";
import { DEFAULT_TIME_BUDGET } from "../waf/engine/settings.js";

/** RFC 9110 §5.6.2 token: header names and methods. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** WAF module names (CRS rule families), defined once with the WAF: src/waf/crs/modules.ts. */
export const WAF_MODULES: readonly string[] = WAF_MODULE_LIST.map((m) => m.name);

export const PRIORITIES = ["critical", "high", "normal", "low"] as const;
export type RoutePriority = (typeof PRIORITIES)[number];

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().min(1);
const ms = z.number().int().min(1).max(86_400_000);

function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const listenSchema = (host: string, portDefault: number) =>
  z
    .object({ host: z.string().min(1).default(host), port: port.default(portDefault) })
    .strict()
    .default({});

const methodList = z
  .array(
    z
      .string()
      .regex(TOKEN, "is not an HTTP method token")
      .transform((m) => m.toUpperCase()),
  )
  .min(1, "must list at least one method");

const rateText = z.string().superRefine((text, ctx) => {
  try {
    parseRate(text);
  } catch {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${JSON.stringify(text)} is not a rate (use 100/s, 6000/min)`,
    });
  }
});

const keyPart = z
  .string()
  .regex(
    /^(ip|route|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+|cookie:[!#$%&'*+.^_`|~0-9A-Za-z-]+)$/,
    "is not a key part (use ip, route, header:NAME or cookie:NAME)",
  );

const rateLimitSchema = z
  .object({
    name: z.string().regex(NAME, "must be 1-64 letters, digits, '-', '_' or '.'"),
    rate: rateText,
    burst: z.number().int().min(0).default(0),
    key: z.array(keyPart).min(1, "must name at least one key part").default(["ip"]),
  })
  .strict();

const targetUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${JSON.stringify(text)} is not a URL (use http://host:port)`,
    });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${JSON.stringify(text)}: only http:// and https:// targets`,
    });
  } else if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${JSON.stringify(text)}: a target is an origin, without path or query`,
    });
  }
});

const concurrencySchema = z
  .object({
    limit: positiveInt.optional(),
    adaptive: z
      .object({ min: positiveInt, max: positiveInt, initial: positiveInt.optional() })
      .strict()
      .superRefine((a, ctx) => {
        if (a.min > a.max)
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["min"], message: "min is above max" });
        if (a.initial !== undefined && (a.initial < a.min || a.initial > a.max)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ["initial"],
            message: "initial must lie between min and max",
          });
        }
      })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.limit === undefined) === (c.adaptive === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "set exactly one of limit or adaptive" });
    }
  });

const upstreamSchema = z
  .object({
    targets: z.array(targetUrl).min(1, "needs at least one target"),
    connectTimeoutMs: ms.default(2000),
    headersTimeoutMs: ms.default(15_000),
    bodyTimeoutMs: ms.default(30_000),
    concurrency: concurrencySchema.optional(),
    queue: z
      .object({ size: z.number().int().min(0).default(200), timeoutMs: ms.default(1000) })
      .strict()
      .default({}),
    passiveHealth: z
      .object({ failures: positiveInt.default(5), ejectMs: ms.default(10_000) })
      .strict()
      .default({}),
  })
  .strict();

const routeSchema = z
  .object({
    name: z.string().regex(NAME, "must be 1-64 letters, digits, '-', '_' or '.'"),
    match: z
      .object({
        pathPrefix: z.string().startsWith("/", "must start with /").optional(),
        host: z
          .string()
          .min(1)
          .transform((h) => h.toLowerCase())
          .optional(),
        methods: methodList.optional(),
      })
      .strict()
      .default({}),
    upstream: z.string().min(1),
    priority: z.enum(PRIORITIES).default("normal"),
    rateLimits: z.array(rateLimitSchema).default([]),
    queueTimeoutMs: ms.optional(),
  })
  .strict();

const gatewaySchema = z
  .object({
    listen: listenSchema("0.0.0.0", 8080),
    admin: listenSchema("127.0.0.1", 9901),
    requestIdHeader: z
      .string()
      .regex(TOKEN, "is not a header name")
      .transform((h) => h.toLowerCase())
      .default("x-request-id"),
    trustedProxies: z
      .array(
        z
          .string()
          .refine(isCidr, (v) => ({ message: `${JSON.stringify(v)} is not an IP or CIDR (use 10.0.0.0/8)` })),
      )
      .default(["127.0.0.1/32", "::1/128"]),
    accessLog: z.string().min(1).default("stdout"),
    limits: z
      .object({
        maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
        maxUriBytes: z.number().int().min(64).max(1_048_576).default(8192),
        maxBodyBytes: z.number().int().min(0).default(10_485_760),
        methods: methodList.optional(),
      })
      .strict()
      .default({}),
    timeouts: z
      .object({ headersMs: ms.default(10_000), idleMs: ms.default(60_000), shutdownMs: ms.default(10_000) })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

const wafSchema = z
  .object({
    mode: z.enum(["blocking", "detection-only", "off"]).default("blocking"),
    paranoia: z.number().int().min(1).max(4).default(1),
    crs: z.string().min(1).default("builtin"),
    modules: z
      .record(
        z.string(),
        z
          .union([z.enum(["on", "off"]), z.boolean()])
          .transform((v): "on" | "off" => (v === true ? "on" : v === false ? "off" : v)),
      )
      .superRefine((mods, ctx) => {
        for (const name of Object.keys(mods)) {
          if (!WAF_MODULES.includes(name)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [name],
              message: `unknown WAF module ${JSON.stringify(name)} (known: ${WAF_MODULES.join(", ")})`,
            });
          }
        }
      })
      .default({}),
    anomalyThreshold: z
      .object({ inbound: positiveInt.default(5), outbound: positiveInt.default(4) })
      .strict()
      .default({}),
    errorLog: z.string().min(1).default("stderr"),
    auditLog: z.string().min(1).default("off"),
    // Engine time per request before the rest of its rules is skipped and it is refused with 503
    // (src/waf/engine/settings.ts): baseMs plus perKbMs for each KB of request.
    timeBudget: z
      .object({
        baseMs: z.number().min(1).max(60_000).default(DEFAULT_TIME_BUDGET.baseMs),
        perKbMs: z.number().min(0).max(1000).default(DEFAULT_TIME_BUDGET.perKbMs),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export const rampartConfigSchema = z
  .object({
    gateway: gatewaySchema,
    upstreams: z.record(z.string().regex(NAME, "is not a valid upstream name"), upstreamSchema),
    routes: z.array(routeSchema).min(1, "needs at least one route"),
    waf: wafSchema,
    alerts: alertsSchema,
    incidents: incidentsSchema,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const issue of crossReferenceIssues(cfg)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue });
  });

/**
 * Checks that span several keys (route -> upstream, unique names). Works on raw, unvalidated data
 * too, so a file with type errors still gets its dangling references reported in the same pass.
 */
export function crossReferenceIssues(data: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (typeof data !== "object" || data === null) return out;
  const { upstreams, routes } = data as { upstreams?: unknown; routes?: unknown };
  if (!Array.isArray(routes)) return out;
  const known = typeof upstreams === "object" && upstreams !== null ? Object.keys(upstreams) : [];
  const seen = new Set<unknown>();
  routes.forEach((route: unknown, i) => {
    if (typeof route !== "object" || route === null) return;
    const r = route as { name?: unknown; upstream?: unknown; rateLimits?: unknown };
    if (typeof r.name === "string") {
      if (seen.has(r.name))
        out.push({ path: ["routes", i, "name"], message: `duplicate route name ${JSON.stringify(r.name)}` });
      seen.add(r.name);
    }
    if (typeof r.upstream === "string" && !known.includes(r.upstream)) {
      out.push({
        path: ["routes", i, "upstream"],
        message: `unknown upstream ${JSON.stringify(r.upstream)} (defined: ${known.length === 0 ? "none" : known.join(", ")})`,
      });
    }
    if (Array.isArray(r.rateLimits)) {
      const names = new Set<unknown>();
      r.rateLimits.forEach((rl: unknown, j) => {
        const name = typeof rl === "object" && rl !== null ? (rl as { name?: unknown }).name : undefined;
        if (typeof name !== "string") return;
        if (names.has(name)) {
          out.push({
            path: ["routes", i, "rateLimits", j, "name"],
            message: `duplicate rate limit name ${JSON.stringify(name)}`,
          });
        }
        names.add(name);
      });
    }
  });
  return out;
}

/** A validated config with every default filled in. */
export type RampartConfig = z.output<typeof rampartConfigSchema>;
/** What a user may write (defaults optional). */
export type RampartConfigInput = z.input<typeof rampartConfigSchema>;
export type UpstreamConfig = RampartConfig["upstreams"][string];
export type RouteConfig = RampartConfig["routes"][number];
export type RateLimitConfig = RouteConfig["rateLimits"][number];
export type GatewaySettings = RampartConfig["gateway"];
export type WafConfig = RampartConfig["waf"];
