/**
 * Property tests for all body processors: random and mutated bodies never make a processor throw
 * (errors are results), every name and value stays a byte string, and well-formed bodies built
 * from a model come back as the model says (JSON names as v3 gives them, XML text and attributes,
 * multipart fields and files). Then linear time: adversarial 1 MB bodies in under 300 ms each.
 * The processors are called directly, not through the registry, whose safety net would hide a throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { processJson } from "../../../src/waf/bodies/json.js";
import { processMultipart } from "../../../src/waf/bodies/multipart.js";
import { processUrlEncoded } from "../../../src/waf/bodies/urlencoded.js";
import { processXml, XML_ATTRIBUTES_VARIABLE } from "../../../src/waf/bodies/xml.js";
import type { BodyParseResult, BodyProcessor } from "../../../src/waf/types.js";
import { bestCpuTimeMs } from "../../support/cpu-time.js";

const limits = { maxArgs: 500, maxDepth: 64 };
const latin1 = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
const isBytes = (s: string): boolean => !/[^\x00-\xff]/.test(s);

/** Fuzz budget per property, so the whole file stays near 3 s. */
const budget = { numRuns: 300, interruptAfterTimeLimit: 500 };

const PROCESSORS: ReadonlyArray<readonly [string, BodyProcessor, string]> = [
  ["URLENCODED", processUrlEncoded, "application/x-www-form-urlencoded"],
  ["MULTIPART", processMultipart, "multipart/form-data; boundary=xYz"],
  ["JSON", processJson, "application/json"],
  ["XML", processXml, "text/xml"],
];

/** The invariants every result must hold. */
function checkResult(r: BodyParseResult): void {
  expect(Array.isArray(r.args)).toBe(true);
  expect(Array.isArray(r.files)).toBe(true);
  expect(r.variables).toBeInstanceOf(Map);
  expect(r.error === undefined || typeof r.error === "string").toBe(true);
  expect(r.args.length).toBeLessThanOrEqual(limits.maxArgs);
  // One expect for all values: a million expect() calls would be the slowest part of the test.
  const notBytes: string[] = [];
  for (const [k, v] of r.args) if (!isBytes(k) || !isBytes(v)) notBytes.push(k);
  for (const f of r.files) if (!isBytes(f.name) || !isBytes(f.filename) || f.size < 0) notBytes.push(f.name);
  for (const t of r.xmlText ?? []) if (!isBytes(t)) notBytes.push(t);
  expect(notBytes).toEqual([]);
}

/** Byte-level damage: replace, insert or delete bytes at random places. */
const mutations = fc.array(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })),
  {
    maxLength: 6,
  },
);

function mutate(s: string, muts: ReadonlyArray<readonly [number, number, number]>): string {
  let out = s;
  for (const [at, kind, byte] of muts) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    const ch = String.fromCharCode(byte);
    if (kind === 0) out = out.slice(0, i) + ch + out.slice(i + 1);
    else if (kind === 1) out = out.slice(0, i) + ch + out.slice(i);
    else out = out.slice(0, i) + out.slice(i + 1);
  }
  return out;
}

const byteString = fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u).toString("latin1"));

// --- models ----------------------------------------------------------------------------------

/** v3's JSON argument names for a JS value, in JSON.stringify's member order. */
function jsonArgs(v: unknown, name: string, out: Array<[string, string]>): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) jsonArgs(v[i], `${name}.array_${i}`, out);
  } else if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) {
      jsonArgs((v as Record<string, unknown>)[k], `${name}.${k === "" ? "empty-key" : latin1(k)}`, out);
    }
  } else if (typeof v === "string") out.push([name, latin1(v)]);
  else if (v === null) out.push([name, ""]);
  else out.push([name, JSON.stringify(v)]);
}

interface XmlNode {
  readonly name: string;
  readonly attrs: ReadonlyArray<readonly [string, string]>;
  readonly children: ReadonlyArray<XmlNode | string>;
}

const xmlName = fc.stringMatching(/^[a-z_][a-z0-9._-]{0,6}$/);
const xmlText = fc.string({ unit: "grapheme", maxLength: 12 });
const { node: xmlNode } = fc.letrec((tie) => ({
  node: fc.record({
    name: xmlName,
    attrs: fc.uniqueArray(fc.tuple(xmlName, xmlText), { maxLength: 3, selector: (a) => a[0] }),
    children: fc.array(fc.oneof({ depthSize: "small" }, xmlText, tie("node") as fc.Arbitrary<XmlNode>), {
      maxLength: 4,
    }),
  }),
}));

const escapeXml = (s: string): string =>
  s
    .replace(/[&<>"\r\n\t]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "");

function serializeXml(n: XmlNode): string {
  const attrs = n.attrs.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join("");
  const inner = n.children.map((c) => (typeof c === "string" ? escapeXml(c) : serializeXml(c))).join("");
  return `<${n.name}${attrs}>${inner}</${n.name}>`;
}

/** Text runs (trimmed, non-empty) and attribute values the model holds, in document order. */
function xmlModel(n: XmlNode, text: string[], attrs: Array<[string, string]>): void {
  for (const [k, v] of n.attrs) attrs.push([k, latin1(escapeXmlClean(v))]);
  let run = "";
  const flush = (): void => {
    const t = run.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (t !== "") text.push(latin1(t));
    run = "";
  };
  for (const c of n.children) {
    if (typeof c === "string") run += escapeXmlClean(c);
    else {
      flush();
      xmlModel(c, text, attrs);
    }
  }
  flush();
}

/** The characters escapeXml keeps (control characters dropped). */
const escapeXmlClean = (s: string): string => s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "");

// --- properties ------------------------------------------------------------------------------

describe("body processors never throw and keep byte strings", () => {
  it.each(PROCESSORS.map(([n, p, ct]) => [n, p, ct] as const))("%s on random bytes", (_n, proc, ct) => {
    fc.assert(
      fc.property(byteString, (body) => checkResult(proc(body, ct, limits))),
      budget,
    );
  });

  it("MULTIPART on random and mutated structured bodies, with random Content-Types", () => {
    const headerLine = fc.constantFrom(
      'Content-Disposition: form-data; name="a"',
      'Content-Disposition: form-data; name="f"; filename="x.txt"',
      "Content-Disposition: form-data; name='q'; filename*=UTF-8''%41",
      "Content-Type: text/plain",
      " folded",
      "\tfolded",
      "Bad Header: x",
      "no colon",
      'Content-Disposition: form-data; name="a\\"b"; filename="c\\d"',
    );
    const eol = fc.constantFrom("\r\n", "\n", "\r");
    const part = fc.record({
      headers: fc.array(headerLine, { maxLength: 4 }),
      data: fc.oneof(fc.string({ maxLength: 40 }), byteString),
      eol,
    });
    const ct = fc.constantFrom(
      "multipart/form-data; boundary=xYz",
      'multipart/form-data; boundary="xYz"',
      "multipart/form-data boundary=xYz",
      "multipart/form-data; boundary = xYz",
      "multipart/form-data; boundary=",
      "text/plain",
    );
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 5 }),
        ct,
        fc.boolean(),
        mutations,
        (parts, contentType, final, muts) => {
          let body = "";
          for (const p of parts)
            body += `--xYz${p.eol}${p.headers.join(p.eol)}${p.eol}${p.eol}${p.data}${p.eol}`;
          if (final) body += "--xYz--\r\n";
          checkResult(processMultipart(mutate(latin1(body), muts), contentType, limits));
        },
      ),
      budget,
    );
  });

  it("JSON on mutated JSON documents", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), mutations, (json, muts) => {
        checkResult(processJson(mutate(latin1(json), muts), "", limits));
      }),
      budget,
    );
  });

  it("XML on mutated XML documents", () => {
    fc.assert(
      fc.property(xmlNode, mutations, (node, muts) => {
        checkResult(processXml(mutate(latin1(serializeXml(node)), muts), "", limits));
      }),
      budget,
    );
  });
});

describe("well-formed bodies come back as their model says", () => {
  it("JSON: every scalar, named as v3 names it, in order", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5, stringUnit: "grapheme" }), (value) => {
        const expected: Array<[string, string]> = [];
        jsonArgs(value, "json", expected);
        const r = processJson(latin1(JSON.stringify(value)), "", { maxArgs: 100_000, maxDepth: 64 });
        expect(r.error).toBeUndefined();
        expect(r.args).toEqual(expected);
      }),
      budget,
    );
  });

  it("XML: text runs and attribute values", () => {
    fc.assert(
      fc.property(xmlNode, (node) => {
        const text: string[] = [];
        const attrs: Array<[string, string]> = [];
        xmlModel(node, text, attrs);
        const r = processXml(latin1(serializeXml(node)), "", limits);
        expect(r.error).toBeUndefined();
        expect(r.xmlText).toEqual(text);
        expect(r.variables.get(XML_ATTRIBUTES_VARIABLE)).toEqual(attrs);
      }),
      budget,
    );
  });

  it("MULTIPART: fields and files, any data that holds no boundary line", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/);
    const data = fc.oneof(fc.string({ maxLength: 60 }), byteString).filter((d) => !d.includes("--xYz"));
    const part = fc.record({
      name,
      data,
      file: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}\.txt$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        let body = "";
        for (const p of parts) {
          const cd = `form-data; name="${p.name}"${p.file === undefined ? "" : `; filename="${p.file}"`}`;
          body += `--xYz\r\nContent-Disposition: ${cd}\r\n\r\n${latin1(p.data)}\r\n`;
        }
        body += "--xYz--\r\n";
        const r = processMultipart(body, "multipart/form-data; boundary=xYz", limits);
        expect(r.error).toBeUndefined();
        expect(r.variables.get("MULTIPART_STRICT_ERROR")).toBe("0");
        expect(r.args).toEqual(
          parts.filter((p) => p.file === undefined).map((p) => [p.name, latin1(p.data)]),
        );
        expect(r.files.map((f) => [f.name, f.filename, f.size])).toEqual(
          parts.filter((p) => p.file !== undefined).map((p) => [p.name, p.file, latin1(p.data).length]),
        );
      }),
      budget,
    );
  });
});

describe("linear time: adversarial 1 MB bodies under 300 ms", () => {
  const MB = 1 << 20;
  /** About 1 MB of whole repetitions of `unit`. */
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length));
  const many = { maxArgs: 1_000_000, maxDepth: 100_000 };
  const mpHead = '--xYz\r\nContent-Disposition: form-data; name="a"\r\n\r\n';

  it.each<[string, BodyProcessor, string, string]>([
    ["URLENCODED: separators only", processUrlEncoded, "", fill("&")],
    ["URLENCODED: % everywhere", processUrlEncoded, "", fill("a=%%zz%4")],
    ["URLENCODED: one huge value", processUrlEncoded, "", `a=${fill("b")}`],
    [
      "MULTIPART: LF lines in a field",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${mpHead}${fill("\n")}\r\n--xYz--`,
    ],
    [
      "MULTIPART: one line, no LF",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${mpHead}${fill("x")}\r\n--xYz--`,
    ],
    [
      "MULTIPART: CR every 4095 bytes",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${mpHead}${fill(`${"c".repeat(4095)}\r`)}\r\n--xYz--`,
    ],
    [
      "MULTIPART: boundary-like lines",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${mpHead}${fill("--xYy\r\n-\r\n")}\r\n--xYz--`,
    ],
    [
      "MULTIPART: NULs in data",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${mpHead}${fill("\0\n")}\r\n--xYz--`,
    ],
    [
      "MULTIPART: many small parts",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      `${fill('--xYz\r\nContent-Disposition: form-data; name="p"\r\n\r\nv\r\n')}--xYz--`,
    ],
    [
      "MULTIPART: preamble without boundary",
      processMultipart,
      "multipart/form-data; boundary=xYz",
      fill("a-b--c\r\n"),
    ],
    ["JSON: flat array of numbers", processJson, "", `[${fill("1,")}1]`],
    ["JSON: deep nesting", processJson, "", `${"[".repeat(50_000)}${"]".repeat(50_000)}`],
    ["JSON: escapes in one string", processJson, "", `["${fill("\\u00e9\\n")}"]`],
    ["JSON: many keys", processJson, "", `{${fill('"k":1,')}"z":1}`],
    ["XML: many elements", processXml, "", `<r>${fill("<a x='1'>t</a>")}</r>`],
    ["XML: entities in text", processXml, "", `<r>${fill("&amp;&#233;")}</r>`],
    ["XML: comments", processXml, "", `<r>${fill("<!-- c -->")}</r>`],
    ["XML: one huge text", processXml, "", `<r>${fill("t")}</r>`],
  ])("%s", (_name, proc, ct, body) => {
    // CPU time, best of three: the bound is about the algorithm, not about a neighbour's CPU burst.
    let r: BodyParseResult | undefined;
    const best = bestCpuTimeMs(() => {
      r = proc(body, ct, many);
    });
    checkResult({ ...r!, args: r!.args.slice(0, limits.maxArgs) });
    expect(best).toBeLessThan(300);
  });
});
