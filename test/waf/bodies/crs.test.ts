/**
 * The body processors against the CRS regression tests (../shared/crs, read at test time): for the
 * rules that read what the multipart processor produces (920120 on FILES/FILES_NAMES, 922100,
 * 922120 and 922130 on MULTIPART_PART_HEADERS), the rule's own condition is evaluated on our output
 * and must give the outcome the CRS test expects. Every CRS test body also goes through the
 * processor its Content-Type selects, which must return a result; JSON and XML bodies of the CRS
 * tests are well-formed (one XML body aside, which expat refuses too) and must parse without error.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { processJson } from "../../../src/waf/bodies/json.js";
import { processMultipart } from "../../../src/waf/bodies/multipart.js";
import { processXml } from "../../../src/waf/bodies/xml.js";
import type { BodyParseResult } from "../../../src/waf/types.js";
import { crsDir, hasCrs } from "../../support/shared.js";

interface Stage {
  readonly id: string;
  readonly ruleId: number;
  readonly contentType: string;
  readonly body: string;
  readonly expectIds: readonly number[];
  readonly noExpectIds: readonly number[];
  readonly matchRegex: string | undefined;
  readonly noMatchRegex: string | undefined;
}

interface FtwInput {
  headers?: Record<string, string>;
  data?: string;
  encoded_request?: string;
}
interface FtwLog {
  expect_ids?: number[];
  no_expect_ids?: number[];
  match_regex?: string;
  no_match_regex?: string;
}
interface FtwFile {
  rule_id: number;
  tests: Array<{ test_id: number; stages: Array<{ input: FtwInput; output?: { log?: FtwLog } }> }>;
}

/** Body and Content-Type of every CRS test stage that has both, as byte strings. */
function loadStages(): Stage[] {
  const stages: Stage[] = [];
  const testsDir = join(crsDir, "tests");
  for (const dir of readdirSync(testsDir)) {
    if (!dir.startsWith("REQUEST-")) continue;
    for (const file of readdirSync(join(testsDir, dir))) {
      if (!file.endsWith(".yaml")) continue;
      const doc = parseYaml(readFileSync(join(testsDir, dir, file), "utf8")) as FtwFile;
      for (const test of doc.tests) {
        test.stages.forEach((stage, i) => {
          const input = stage.input;
          let contentType: string | undefined;
          let body: string | undefined;
          for (const [k, val] of Object.entries(input.headers ?? {}))
            if (k.toLowerCase() === "content-type") contentType = val;
          if (input.encoded_request !== undefined) {
            const raw = Buffer.from(input.encoded_request, "base64").toString("latin1");
            const split = raw.indexOf("\r\n\r\n");
            const head = split === -1 ? raw : raw.slice(0, split);
            body = split === -1 ? "" : raw.slice(split + 4);
            for (const line of head.split("\r\n")) {
              const m = /^content-type:\s*(.*)$/i.exec(line);
              if (m) contentType = m[1];
            }
          } else if (typeof input.data === "string") {
            body = Buffer.from(input.data, "utf8").toString("latin1");
          }
          if (contentType === undefined || body === undefined) return;
          const log = stage.output?.log ?? {};
          stages.push({
            id: `${doc.rule_id}-${test.test_id}${test.stages.length > 1 ? `.${i}` : ""}`,
            ruleId: doc.rule_id,
            contentType,
            body,
            expectIds: log.expect_ids ?? [],
            noExpectIds: log.no_expect_ids ?? [],
            matchRegex: log.match_regex,
            noMatchRegex: log.no_match_regex,
          });
        });
      }
    }
  }
  return stages;
}

/** The @rx of `SecRule <targets> "<op> ..."` in a CRS rule file, as a JS RegExp. */
function ruleRegex(file: string, targets: string): RegExp {
  const text = readFileSync(join(crsDir, "rules", file), "utf8");
  const start = text.indexOf(`SecRule ${targets} "`);
  if (start === -1) throw new Error(`rule on ${targets} not found in ${file}`);
  const line = text.slice(start, text.indexOf("\n", start));
  const m = /"!?@rx (.*)" \\$/.exec(line);
  if (!m) throw new Error(`no @rx in ${line}`);
  const source = m[1]!.replace(/\\"/g, '"');
  // PCRE's leading (?i) becomes the i flag; \x5c is a backslash in both dialects.
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

const stages = hasCrs ? loadStages() : [];
const isMultipart = (s: Stage): boolean => s.contentType.toLowerCase().startsWith("multipart/form-data");
const limits = { maxArgs: 1000, maxDepth: 512 };

/** Whether the CRS test expects the rule to fire (expect_ids / match_regex) or not. */
function expected(s: Stage): boolean | undefined {
  if (s.expectIds.includes(s.ruleId) || s.matchRegex !== undefined) return true;
  if (s.noExpectIds.includes(s.ruleId) || s.noMatchRegex !== undefined) return false;
  return undefined;
}

function partHeaders(r: BodyParseResult): Array<readonly [string, string]> {
  return (r.variables.get("MULTIPART_PART_HEADERS") ?? []) as Array<readonly [string, string]>;
}

describe.skipIf(!hasCrs)("CRS regression tests: rules that read multipart output", () => {
  const byRule = (id: number): Stage[] =>
    stages.filter((s) => s.ruleId === id && isMultipart(s) && expected(s) !== undefined);

  it("finds the CRS multipart tests", () => {
    expect(byRule(920120).length).toBeGreaterThanOrEqual(30);
    expect(byRule(922100).length + byRule(922120).length + byRule(922130).length).toBeGreaterThanOrEqual(10);
  });

  describe("920120 (FILES|FILES_NAMES !@rx ...)", () => {
    const rx = hasCrs ? ruleRegex("REQUEST-920-PROTOCOL-ENFORCEMENT.conf", "FILES|FILES_NAMES") : /$^/;
    it.each(byRule(920120).map((s) => [s.id, s] as const))("%s", (_id, s) => {
      const r = processMultipart(s.body, s.contentType, limits);
      const values = r.files.flatMap((f) => [f.filename, f.name]);
      expect(values.some((v) => !rx.test(v))).toBe(expected(s));
    });
  });

  describe("922100 (&MULTIPART_PART_HEADERS:_charset_, ARGS:_charset_ !@within allowed)", () => {
    const allowed = "|utf-8| |iso-8859-1| |iso-8859-15| |windows-1252|";
    it.each(byRule(922100).map((s) => [s.id, s] as const))("%s", (_id, s) => {
      const r = processMultipart(s.body, s.contentType, limits);
      const hasCharsetPart = partHeaders(r).some(([name]) => name.toLowerCase() === "_charset_");
      const charsets = r.args
        .filter(([k]) => k.toLowerCase() === "_charset_")
        .map(([, val]) => `|${val.toLowerCase()}|`);
      const fires = hasCharsetPart && charsets.some((c) => !allowed.includes(c));
      expect(fires).toBe(expected(s));
    });
  });

  describe("922120 (MULTIPART_PART_HEADERS @rx content-transfer-encoding:)", () => {
    it.each(byRule(922120).map((s) => [s.id, s] as const))("%s", (_id, s) => {
      const r = processMultipart(s.body, s.contentType, limits);
      const fires = partHeaders(r).some(([, h]) => /content-transfer-encoding:(.*)/.test(h.toLowerCase()));
      expect(fires).toBe(expected(s));
    });
  });

  describe("922130 (invalid header name characters: rule match or body error)", () => {
    it.each(byRule(922130).map((s) => [s.id, s] as const))("%s", (_id, s) => {
      const r = processMultipart(s.body, s.contentType, limits);
      const ruleFires = partHeaders(r).some(([, h]) =>
        /[^\x21-\x7E][\x21-\x39\x3B-\x7E]*:/.test(h.toLowerCase()),
      );
      const bodyError = (r.error ?? "").includes("Invalid part header (contains invalid character)");
      expect(ruleFires || bodyError).toBe(expected(s));
    });
  });
});

describe.skipIf(!hasCrs)("CRS regression tests: every body through its processor", () => {
  it("multipart bodies all give a result; well-formed ones give their fields", () => {
    const mp = stages.filter(isMultipart);
    expect(mp.length).toBeGreaterThan(50);
    let parsed = 0;
    for (const s of mp) {
      const r = processMultipart(s.body, s.contentType, limits);
      expect(r.variables.get("MULTIPART_STRICT_ERROR")).toMatch(/^[01]$/);
      if (r.error === undefined) parsed++;
    }
    // Most CRS multipart tests are well-formed attacks, not parser tests.
    expect(parsed / mp.length).toBeGreaterThan(0.8);
  });

  it("JSON bodies (all valid JSON) parse without error", () => {
    const js = stages.filter((s) => s.contentType.toLowerCase().includes("json"));
    expect(js.length).toBeGreaterThan(100);
    const failed = js
      .filter((s) => processJson(s.body, s.contentType, limits).error !== undefined)
      .map((s) => s.id);
    expect(failed).toEqual([]);
  });

  it("XML bodies parse without error, except the one expat also refuses", () => {
    const xs = stages.filter((s) => s.contentType.toLowerCase().includes("xml"));
    expect(xs.length).toBeGreaterThan(100);
    const failed = xs
      .filter((s) => processXml(s.body, s.contentType, limits).error !== undefined)
      .map((s) => s.id);
    // 920240-4 writes its attribute quotes as \" (a YAML escaping slip): not XML for any parser.
    expect(failed).toEqual(["920240-4"]);
  });
});
