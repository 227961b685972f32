/** errorAnswer: every kind of failure maps to one status and one stable code; internals never leak. */
import { describe, expect, it } from "vitest";
import { errorAnswer } from "../../src/api/app.js";
import { API_ERRORS, ApiError } from "../../src/api/errors.js";
import { ConfigError } from "../../src/config/errors.js";
import { PolicyRefusedError } from "../../src/config/policies/errors.js";
import type { PolicyVerdict } from "../../src/config/policies/types.js";
import { RampartError } from "../../src/errors.js";
import { StoreError } from "../../src/store/errors.js";

const verdict = (policy: string, overridable: boolean): PolicyVerdict => ({
  policy,
  ok: false,
  severity: "error",
  path: "waf.modules.sqli",
  message: "off",
  overridable,
  hint: "",
});

describe("errorAnswer", () => {
  const rows: [string, unknown, number, string, boolean][] = [
    ["ApiError", new ApiError("NO_CONFIG", "none"), 404, "NO_CONFIG", false],
    [
      "ConfigError",
      new ConfigError("a.yaml", [{ path: "routes", line: 3, message: "bad" }]),
      422,
      "CONFIG_INVALID",
      false,
    ],
    [
      "PolicyRefusedError",
      new PolicyRefusedError([verdict("critical-modules-on", true)]),
      409,
      "CONFIG_POLICY_REFUSED",
      false,
    ],
    ["STORE_NOT_FOUND", new StoreError("STORE_NOT_FOUND", "x"), 404, "NOT_FOUND", false],
    ["STORE_CONFLICT", new StoreError("STORE_CONFLICT", "x"), 409, "CONFIG_CONFLICT", false],
    ["STORE_TOO_LARGE", new StoreError("STORE_TOO_LARGE", "x"), 413, "BODY_TOO_LARGE", false],
    ["STORE_INVALID", new StoreError("STORE_INVALID", "x"), 400, "INVALID_REQUEST", false],
    ["STORE_CORRUPT", new StoreError("STORE_CORRUPT", "x"), 503, "STORE_UNAVAILABLE", true],
    ["another RampartError", new RampartError("WAF_SOMETHING", "x"), 400, "WAF_SOMETHING", false],
    [
      "fastify body limit",
      Object.assign(new Error("big"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 }),
      413,
      "BODY_TOO_LARGE",
      false,
    ],
    [
      "fastify bad JSON",
      Object.assign(new SyntaxError("Unexpected token"), { statusCode: 400 }),
      400,
      "MALFORMED_JSON",
      false,
    ],
    [
      "fastify validation",
      Object.assign(new Error("body/x"), {
        validation: [{ instancePath: "/x", message: "bad" }],
        statusCode: 400,
      }),
      400,
      "INVALID_REQUEST",
      false,
    ],
    [
      "SQLITE_BUSY",
      Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }),
      503,
      "STORE_UNAVAILABLE",
      true,
    ],
    ["a bug", new TypeError("cannot read x of undefined at /secret/path.ts"), 500, "INTERNAL", true],
    ["a thrown string", "boom", 500, "INTERNAL", true],
    ["undefined", undefined, 500, "INTERNAL", true],
  ];
  it.each(rows)("%s", (_name, err, status, code, internal) => {
    const a = errorAnswer(err);
    expect(a.status).toBe(status);
    expect(a.body.error).toBe(code);
    expect(typeof a.body.message).toBe("string");
    expect(a.internal).toBe(internal);
    if (status === 500) expect(JSON.stringify(a.body)).not.toContain("secret");
  });

  it("every code of the table has a 4xx or 5xx status", () => {
    for (const status of Object.values(API_ERRORS)) expect(status >= 400 && status < 600).toBe(true);
  });

  it("a refusal says how to override only when every failing policy allows it", () => {
    const yes = errorAnswer(new PolicyRefusedError([verdict("critical-modules-on", true)])).body;
    expect(yes.override).toMatchObject({
      possible: true,
      cli: expect.stringContaining("--override critical-modules-on"),
    });
    const no = errorAnswer(
      new PolicyRefusedError([verdict("critical-modules-on", true), verdict("waf-not-off", false)]),
    ).body;
    expect(no.override).toEqual({ possible: false, policies: ["waf-not-off"] });
  });
});
