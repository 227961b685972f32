import { describe, expect, it } from "vitest";
import { PathSyntaxError, parsePath, pathSegments, resolvePath } from "../../../src/config/policies/path.js";

describe("parsePath", () => {
  const good: [string, unknown[]][] = [
    ["waf", [{ kind: "key", key: "waf" }]],
    [
      "waf.modules.data-leakages",
      [
        { kind: "key", key: "waf" },
        { kind: "key", key: "modules" },
        { kind: "key", key: "data-leakages" },
      ],
    ],
    [
      "routes[name=checkout].rateLimits",
      [
        { kind: "key", key: "routes" },
        { kind: "where", field: "name", value: "checkout" },
        { kind: "key", key: "rateLimits" },
      ],
    ],
    [
      "routes[*].rateLimits[0]",
      [
        { kind: "key", key: "routes" },
        { kind: "all" },
        { kind: "key", key: "rateLimits" },
        { kind: "index", index: 0 },
      ],
    ],
    [
      "upstreams.*.targets",
      [{ kind: "key", key: "upstreams" }, { kind: "all" }, { kind: "key", key: "targets" }],
    ],
    [
      'waf["odd key.with dots"]',
      [
        { kind: "key", key: "waf" },
        { kind: "key", key: "odd key.with dots" },
      ],
    ],
    ["[0]", [{ kind: "index", index: 0 }]],
    [
      "routes[name=a.b-c_d]",
      [
        { kind: "key", key: "routes" },
        { kind: "where", field: "name", value: "a.b-c_d" },
      ],
    ],
  ];
  it.each(good)("%s", (text, steps) => expect(parsePath(text)).toEqual(steps));

  const bad: [string, number][] = [
    ["", 1],
    ["waf.", 5],
    ["waf..mode", 5],
    [".waf", 1],
    ["routes[", 8],
    ["routes[name=]", 8],
    ["routes[01]", 8],
    ["routes[-1]", 8],
    ["routes[name=x", 8],
    ['waf["unterminated]', 5],
    ["waf mode", 4],
    ["1abc", 1],
    ["waf.\u00e9", 5],
    [`a${".b".repeat(40)}`, 64],
    ["x".repeat(501), 1],
  ];
  it.each(bad)("rejects %j, naming character %i", (text, at) => {
    let err: unknown;
    try {
      parsePath(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PathSyntaxError);
    expect((err as PathSyntaxError).offset + 1).toBe(at);
  });
});

describe("resolvePath", () => {
  const doc = {
    waf: { paranoia: 1, modules: { sqli: "on" } },
    routes: [
      { name: "checkout", rateLimits: [{ name: "per-ip", rate: "10/s" }] },
      { name: "browse", rateLimits: [] },
      { rateLimits: [{ name: "x" }] },
    ],
    upstreams: { a: { n: 1 }, b: { n: 2 } },
  };
  const rows: [string, { path: string; value: unknown }[], string[]][] = [
    ["waf.paranoia", [{ path: "waf.paranoia", value: 1 }], []],
    ["waf.nope", [], ["waf.nope"]],
    ["waf.paranoia.deeper", [], ["waf.paranoia.deeper"]],
    [
      "routes[name=checkout].rateLimits[0].rate",
      [{ path: "routes[name=checkout].rateLimits[name=per-ip].rate", value: "10/s" }],
      [],
    ],
    ["routes[name=cart]", [], ["routes[name=cart]"]],
    [
      "routes[*].name",
      [
        { path: "routes[name=checkout].name", value: "checkout" },
        { path: "routes[name=browse].name", value: "browse" },
      ],
      ["routes[2].name"],
    ],
    ["routes[name=browse].rateLimits[*].rate", [], []],
    ["routes[5]", [], ["routes[5]"]],
    [
      "upstreams.*.n",
      [
        { path: "upstreams.a.n", value: 1 },
        { path: "upstreams.b.n", value: 2 },
      ],
      [],
    ],
    ["waf.paranoia[*]", [], ["waf.paranoia[*]"]],
  ];
  it.each(rows)("%s", (text, matches, missing) => {
    expect(resolvePath(doc, parsePath(text))).toEqual({ matches, missing });
  });
});

describe("pathSegments", () => {
  const doc = {
    routes: [
      { name: "a", rateLimits: [{ name: "x" }] },
      { name: "b", rateLimits: [] },
    ],
    waf: { mode: "on" },
  };
  const rows: [string, (string | number)[] | undefined][] = [
    ["routes[name=b].rateLimits", ["routes", 1, "rateLimits"]],
    ["routes[name=a].rateLimits[name=x].name", ["routes", 0, "rateLimits", 0, "name"]],
    ["routes[0]", ["routes", 0]],
    ["waf.mode", ["waf", "mode"]],
    ["routes[name=c]", undefined],
    ["routes[*]", undefined],
    ["waf.nope", undefined],
    ["routes[", undefined],
  ];
  it.each(rows)("%s", (text, segments) => expect(pathSegments(doc, text)).toEqual(segments));
});
