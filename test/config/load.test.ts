import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, formatIssues } from "../../src/config/errors.js";
import { formatPath, loadConfig, parseConfig } from "../../src/config/load.js";

const MIN = `upstreams:
  shop:
    targets: [http://127.0.0.1:3000]
routes:
  - name: all
    upstream: shop
`;

function issuesOf(text: string): { path: string; line: number; message: string }[] {
  try {
    parseConfig(text, "t.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("CONFIG_INVALID");
    return [...(err as ConfigError).issues];
  }
  throw new Error("config was accepted");
}

describe("parseConfig: defaults", () => {
  it("fills every default of a minimal file", () => {
    const c = parseConfig(MIN);
    expect(c.gateway.listen).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(c.gateway.admin).toEqual({ host: "127.0.0.1", port: 9901 });
    expect(c.gateway.requestIdHeader).toBe("x-request-id");
    expect(c.gateway.trustedProxies).toEqual(["127.0.0.1/32", "::1/128"]);
    expect(c.gateway.limits).toEqual({ maxHeaderBytes: 16384, maxUriBytes: 8192, maxBodyBytes: 10485760 });
    expect(c.gateway.timeouts).toEqual({ headersMs: 10000, idleMs: 60000, shutdownMs: 10000 });
    const shop = c.upstreams.shop!;
    expect(shop.connectTimeoutMs).toBe(2000);
    expect(shop.headersTimeoutMs).toBe(15000);
    expect(shop.bodyTimeoutMs).toBe(30000);
    expect(shop.concurrency).toBeUndefined();
    expect(shop.queue).toEqual({ size: 200, timeoutMs: 1000 });
    expect(shop.passiveHealth).toEqual({ failures: 5, ejectMs: 10000 });
    expect(c.routes[0]!.priority).toBe("normal");
    expect(c.routes[0]!.match).toEqual({});
    expect(c.waf).toEqual({
      mode: "blocking",
      paranoia: 1,
      crs: "builtin",
      modules: {},
      anomalyThreshold: { inbound: 5, outbound: 4 },
      errorLog: "stderr",
      auditLog: "off",
      timeBudget: { baseMs: 100, perKbMs: 2 },
    });
  });

  it("accepts the full documented shape", () => {
    const c = parseConfig(`gateway:
  listen: { host: 0.0.0.0, port: 8080 }
  admin: { host: 127.0.0.1, port: 9901 }
  requestIdHeader: X-Trace-Id
  trustedProxies: [10.0.0.0/8, "::1/128", 192.168.1.1]
  limits: { maxHeaderBytes: 16384, maxUriBytes: 8192, maxBodyBytes: 10485760, methods: [get, HEAD, POST] }
  timeouts: { headersMs: 10000, idleMs: 60000, shutdownMs: 10000 }
upstreams:
  shop:
    targets: [http://127.0.0.1:3000, https://shop.internal:8443]
    concurrency: { adaptive: { min: 5, max: 500 } }
    queue: { size: 10, timeoutMs: 50 }
routes:
  - name: checkout
    match: { pathPrefix: /checkout, host: Shop.Example, methods: [POST] }
    upstream: shop
    priority: critical
    rateLimits:
      - { name: per-ip, rate: 10/s, burst: 20, key: [ip] }
      - { name: per-user, rate: 600/min, key: [cookie:session, header:X-Api-Key, route] }
waf:
  mode: detection-only
  paranoia: 2
  crs: /etc/crs
  modules: { sqli: on, xss: off, php: true }
  anomalyThreshold: { inbound: 10, outbound: 8 }
`);
    expect(c.gateway.requestIdHeader).toBe("x-trace-id");
    expect(c.gateway.limits.methods).toEqual(["GET", "HEAD", "POST"]);
    expect(c.routes[0]!.match.host).toBe("shop.example");
    expect(c.upstreams.shop!.concurrency).toEqual({ adaptive: { min: 5, max: 500 } });
    expect(c.routes[0]!.rateLimits[1]!.burst).toBe(0);
    expect(c.waf.modules).toEqual({ sqli: "on", xss: "off", php: "on" });
  });
});

// One row per kind of error: the YAML, the path and line expected, and a word of the message.
const ERROR_CASES: { name: string; yaml: string; path: string; line: number; message: RegExp }[] = [
  {
    name: "unknown key (typo)",
    yaml: `gateway:\n  listen: { host: 127.0.0.1, prot: 8080 }\n${MIN}`,
    path: "gateway.listen.prot",
    line: 2,
    message: /unknown key/,
  },
  {
    name: "unknown top-level key",
    yaml: `${MIN}wafs: {}\n`,
    path: "wafs",
    line: 7,
    message: /unknown key/,
  },
  {
    name: "bad rate",
    yaml: `${MIN}    rateLimits:\n      - { name: per-ip, rate: 100/sx }\n`,
    path: "routes[0].rateLimits[0].rate",
    line: 8,
    message: /"100\/sx" is not a rate \(use 100\/s, 6000\/min\)/,
  },
  {
    name: "wrong type",
    yaml: `gateway:\n  listen:\n    port: "eighty"\n${MIN}`,
    path: "gateway.listen.port",
    line: 3,
    message: /expected number, got string/,
  },
  {
    name: "port out of range",
    yaml: `gateway:\n  admin: { port: 70000 }\n${MIN}`,
    path: "gateway.admin.port",
    line: 2,
    message: /65535/,
  },
  {
    name: "missing required key",
    yaml: "upstreams:\n  shop:\n    connectTimeoutMs: 5\nroutes:\n  - { name: a, upstream: shop }\n",
    path: "upstreams.shop.targets",
    line: 3,
    message: /is required/,
  },
  {
    name: "target with a path",
    yaml: "upstreams:\n  shop:\n    targets: [http://a:1/x]\nroutes:\n  - { name: a, upstream: shop }\n",
    path: "upstreams.shop.targets[0]",
    line: 3,
    message: /origin/,
  },
  {
    name: "target not a URL",
    yaml: "upstreams:\n  shop:\n    targets:\n      - not a url\nroutes:\n  - { name: a, upstream: shop }\n",
    path: "upstreams.shop.targets[0]",
    line: 4,
    message: /not a URL/,
  },
  {
    name: "unknown upstream",
    yaml: "upstreams:\n  shop:\n    targets: [http://a:1]\nroutes:\n  - name: a\n    upstream: shp\n",
    path: "routes[0].upstream",
    line: 6,
    message: /unknown upstream "shp" \(defined: shop\)/,
  },
  {
    name: "duplicate route name",
    yaml: `${MIN}  - name: all\n    upstream: shop\n`,
    path: "routes[1].name",
    line: 7,
    message: /duplicate route name/,
  },
  {
    name: "bad priority",
    yaml: `${MIN}    priority: urgent\n`,
    path: "routes[0].priority",
    line: 7,
    message: /must be one of critical, high, normal, low \(got "urgent"\)/,
  },
  {
    name: "bad key part",
    yaml: `${MIN}    rateLimits: [{ name: x, rate: 1/s, key: [ip, session] }]\n`,
    path: "routes[0].rateLimits[0].key[1]",
    line: 7,
    message: /ip, route, header:NAME or cookie:NAME/,
  },
  {
    name: "concurrency with both limit and adaptive",
    yaml: "upstreams:\n  shop:\n    targets: [http://a:1]\n    concurrency: { limit: 5, adaptive: { min: 1, max: 2 } }\nroutes:\n  - { name: a, upstream: shop }\n",
    path: "upstreams.shop.concurrency",
    line: 4,
    message: /exactly one of limit or adaptive/,
  },
  {
    name: "adaptive min above max",
    yaml: "upstreams:\n  shop:\n    targets: [http://a:1]\n    concurrency:\n      adaptive: { min: 10, max: 2 }\nroutes:\n  - { name: a, upstream: shop }\n",
    path: "upstreams.shop.concurrency.adaptive.min",
    line: 5,
    message: /min is above max/,
  },
  {
    name: "bad CIDR",
    yaml: `gateway:\n  trustedProxies: [10.0.0.0/33]\n${MIN}`,
    path: "gateway.trustedProxies[0]",
    line: 2,
    message: /not an IP or CIDR/,
  },
  {
    name: "unknown WAF module",
    yaml: `${MIN}waf:\n  modules: { sqli: on, sqlinjection: off }\n`,
    path: "waf.modules.sqlinjection",
    line: 8,
    message: /unknown WAF module "sqlinjection"/,
  },
  {
    name: "module value neither on nor off",
    yaml: `${MIN}waf:\n  modules: { sqli: maybe }\n`,
    path: "waf.modules.sqli",
    line: 8,
    message: /.+/,
  },
  {
    name: "paranoia out of range",
    yaml: `${MIN}waf: { paranoia: 5 }\n`,
    path: "waf.paranoia",
    line: 7,
    message: /4/,
  },
  {
    name: "no routes",
    yaml: "upstreams:\n  shop:\n    targets: [http://a:1]\nroutes: []\n",
    path: "routes",
    line: 4,
    message: /at least one route/,
  },
  {
    name: "pathPrefix without slash",
    yaml: `${MIN}    match: { pathPrefix: checkout }\n`,
    path: "routes[0].match.pathPrefix",
    line: 7,
    message: /start with \//,
  },
  {
    name: "method not a token",
    yaml: `gateway:\n  limits: { methods: ["GE T"] }\n${MIN}`,
    path: "gateway.limits.methods[0]",
    line: 2,
    message: /method token/,
  },
  {
    name: "YAML syntax error",
    yaml: "upstreams:\n  shop: [unclosed\nroutes: []\n",
    path: "",
    line: 3, // where the parser finds the sequence unterminated
    message: /YAML/,
  },
  {
    name: "duplicate YAML key",
    yaml: `${MIN}upstreams: {}\n`,
    path: "",
    line: 7,
    message: /YAML.*[Uu]nique|YAML.*duplicate/i,
  },
  {
    name: "document is not a map",
    yaml: "- just\n- a list\n",
    path: "",
    line: 1,
    message: /expected object, got array/,
  },
];

describe("parseConfig: every error kind carries its path and line", () => {
  it.each(ERROR_CASES)("$name", ({ yaml, path, line, message }) => {
    const issues = issuesOf(yaml);
    const hit = issues.find((i) => i.path === path);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.line).toBe(line);
    expect(hit!.message).toMatch(message);
  });

  it("reports every problem of a file at once, in line order", () => {
    const issues = issuesOf(`gateway:
  listen: { host: 127.0.0.1, prot: 8080 }
upstreams:
  shop:
    targets: [http://127.0.0.1:3000/x]
routes:
  - name: a
    upstream: shop
    rateLimits:
      - { name: per-ip, rate: 100/sx }
  - name: b
    upstream: nope
    priority: urgent
`);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, "gateway.listen.prot"],
      [5, "upstreams.shop.targets[0]"],
      [10, "routes[0].rateLimits[0].rate"],
      [12, "routes[1].upstream"],
      [13, "routes[1].priority"],
    ]);
  });

  it("formats one line per issue as the CLI prints them", () => {
    const lines = formatIssues("rampart.yaml", [
      {
        path: "routes[2].rateLimits[0].rate",
        line: 17,
        message: '"100/sx" is not a rate (use 100/s, 6000/min)',
      },
      { path: "", line: 0, message: "cannot read the file" },
    ]);
    expect(lines).toEqual([
      'rampart.yaml:17 routes[2].rateLimits[0].rate: "100/sx" is not a rate (use 100/s, 6000/min)',
      "rampart.yaml cannot read the file",
    ]);
  });

  it.each([
    ["", "the empty file"],
    ["\u0000\u0001garbage: [", "binary junk"],
    ["\xff\xfe: \xc3\x28\n", "invalid UTF-8 read as latin1"],
  ])("refuses %j (%s) with a ConfigError, never a crash", (text) => {
    expect(issuesOf(text).length).toBeGreaterThan(0);
  });

  it("survives a huge file with many errors (a line for each)", () => {
    const routes = Array.from({ length: 2000 }, (_, i) => `  - { name: r${i}, upstream: nope }`).join("\n");
    const issues = issuesOf(`upstreams:\n  shop:\n    targets: [http://a:1]\nroutes:\n${routes}\n`);
    expect(issues).toHaveLength(2000);
    expect(issues[1999]).toMatchObject({ path: "routes[1999].upstream", line: 2004 });
  });
});

describe("formatPath", () => {
  it.each([
    [[], ""],
    [["routes", 2, "rateLimits", 0, "rate"], "routes[2].rateLimits[0].rate"],
    [["upstreams", "shop-eu", "targets"], "upstreams.shop-eu.targets"],
    [["waf", "modules", "a b"], 'waf.modules["a b"]'],
  ] as [(string | number)[], string][])("%j -> %s", (parts, text) => {
    expect(formatPath(parts)).toBe(text);
  });
});

describe("loadConfig", () => {
  it("reads a file and names it in errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-cfg-"));
    const good = join(dir, "good.yaml");
    const bad = join(dir, "bad.yaml");
    writeFileSync(good, MIN);
    writeFileSync(bad, `${MIN}    priority: urgent\n`);
    expect((await loadConfig(good)).routes[0]!.name).toBe("all");
    await expect(loadConfig(bad)).rejects.toMatchObject({ code: "CONFIG_INVALID", file: bad });
    await expect(loadConfig(join(dir, "missing.yaml"))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      issues: [{ line: 0, message: expect.stringMatching(/cannot read/) }],
    });
  });
});
