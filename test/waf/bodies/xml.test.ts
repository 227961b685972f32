import { describe, expect, it } from "vitest";
import { getBodyProcessor } from "../../../src/waf/bodies/index.js";
import { processXml, XML_ATTRIBUTES_VARIABLE, XML_MAX_DEPTH } from "../../../src/waf/bodies/xml.js";

const limits = { maxArgs: 1000, maxDepth: 32 };
const utf8 = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
const attrs = (body: string): unknown =>
  processXml(body, "text/xml", limits).variables.get(XML_ATTRIBUTES_VARIABLE);

describe("XML: text runs (XML:/*)", () => {
  it.each<[string, string, string[]]>([
    ["one element", "<a>hello</a>", ["hello"]],
    ["nested, in document order", "<a>x<b>y</b>z<c/>w</a>", ["x", "y", "z", "w"]],
    ["whitespace-only runs dropped, others trimmed", "<a>\n  <b>  t  </b>\n</a>", ["t"]],
    ["predefined entities", "<a>&lt;script&gt; &amp; &quot;&apos;</a>", ["<script> & \"'"]],
    ["decimal and hex character references as UTF-8", "<a>&#65;&#x42;&#233;</a>", [`AB${utf8("é")}`]],
    [
      "CDATA kept verbatim and joined to its text",
      "<a>x <![CDATA[<b>&amp;</b>]]> y</a>",
      ["x <b>&amp;</b> y"],
    ],
    ["comments split runs", "<a>x<!-- c -->y</a>", ["x", "y"]],
    ["processing instructions split runs", "<a>x<?pi data?>y</a>", ["x", "y"]],
    ["CRLF and CR become LF", "<a>1\r\n2\r3</a>", ["1\n2\n3"]],
    [
      "declaration, BOM, misc around the root",
      '\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a>t</a><?pi?>\n',
      ["t"],
    ],
    ["UTF-8 text passes through", `<a>${utf8("naïve €")}</a>`, [utf8("naïve €")]],
    [
      "Latin-1 document re-encoded to UTF-8",
      '<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>',
      [utf8("é")],
    ],
    ["namespaced names", '<s:Envelope xmlns:s="u"><s:Body>b</s:Body></s:Envelope>', ["b"]],
    ["empty root", "<a/>", []],
    ["attack text in a SOAP body", "<e><b><q>1' OR '1'='1</q></b></e>", ["1' OR '1'='1"]],
  ])("%s", (_name, body, text) => {
    const r = processXml(body, "text/xml", limits);
    expect(r.error).toBeUndefined();
    expect(r.xmlText).toEqual(text);
    expect(r.args).toEqual([]);
  });

  it("is registered under XML", () => {
    expect(getBodyProcessor("xml")!("<a>t</a>", "", limits).xmlText).toEqual(["t"]);
  });
});

describe("XML: attribute values (XML://@*)", () => {
  it.each<[string, string, Array<[string, string]>]>([
    [
      "double and single quotes",
      `<a x="1" y='2'/>`,
      [
        ["x", "1"],
        ["y", "2"],
      ],
    ],
    ["references decoded", '<a x="&lt;&#x41;&amp;"/>', [["x", "<A&"]]],
    ["whitespace normalised to spaces", '<a x="1\t2\n3\r\n4"/>', [["x", "1 2 3 4"]]],
    ["character reference whitespace kept", '<a x="1&#10;2"/>', [["x", "1\n2"]]],
    [
      "nested elements in order",
      '<a x="1"><b y="2"/><c z="3"></c></a>',
      [
        ["x", "1"],
        ["y", "2"],
        ["z", "3"],
      ],
    ],
    [
      "same name on different elements",
      '<a x="1"><b x="2"/></a>',
      [
        ["x", "1"],
        ["x", "2"],
      ],
    ],
    ["spaces around =", '<a x = "1"/>', [["x", "1"]]],
  ])("%s", (_name, body, expected) => {
    expect(processXml(body, "", limits).error).toBeUndefined();
    expect(attrs(body)).toEqual(expected);
  });
});

describe("XML: DOCTYPE and entities (no expansion, nothing fetched)", () => {
  it("skips an internal subset and keeps undeclared-by-us entities literal", () => {
    const body = '<!DOCTYPE a [<!ENTITY e "boom"><!-- ] > -->]><a>&e;</a>';
    const r = processXml(body, "", limits);
    expect(r.error).toBeUndefined();
    expect(r.xmlText).toEqual(["&e;"]);
  });

  it("billion laughs is inert and fast", () => {
    const lol = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join(
      "",
    );
    const body = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">${lol}]><r>&l10;</r>`;
    const t = performance.now();
    const r = processXml(body, "", limits);
    expect(performance.now() - t).toBeLessThan(50);
    expect(r.xmlText).toEqual(["&l10;"]);
  });

  it("an external entity is never resolved", () => {
    const r = processXml('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "", limits);
    expect(r.xmlText).toEqual(["&x;"]);
  });

  it("an undefined entity without a DOCTYPE is an error", () => {
    expect(processXml("<a>&x;</a>", "", limits).error).toBe("XML parsing error: Entity 'x' not defined");
  });
});

describe("XML: well-formedness errors (REQBODY_ERROR)", () => {
  it.each<[string, string]>([
    ["not XML", "hello"],
    ["mismatched tags", "<a><b></a></b>"],
    ["unclosed root", "<a><b></b>"],
    ["two roots", "<a/><b/>"],
    ["text after the root", "<a/>x"],
    ["text before the root", "x<a/>"],
    ["< in an attribute value", '<a x="<"/>'],
    ["duplicate attribute", '<a x="1" x="2"/>'],
    ["attribute without value", "<a x/>"],
    ["unquoted attribute", "<a x=1/>"],
    ["attributes not separated", '<a x="1"y="2"/>'],
    ["unterminated attribute", '<a x="1/>'],
    ["bare &", "<a>a & b</a>"],
    ["entity without ;", "<a>&amp</a>"],
    ["character reference to NUL", "<a>&#0;</a>"],
    ["character reference to a surrogate", "<a>&#xD800;</a>"],
    ["character reference out of range", "<a>&#x110000;</a>"],
    ["]]> in text", "<a>]]></a>"],
    ["unterminated CDATA", "<a><![CDATA[x</a>"],
    ["unterminated comment", "<a><!-- x</a>"],
    ["-- inside a comment", "<a><!-- a -- b --></a>"],
    ["XML declaration not first", '<a/><?xml version="1.0"?>'],
    ["declaration without version", '<?xml encoding="UTF-8"?><a/>'],
    ["unsupported encoding", '<?xml version="1.0" encoding="EBCDIC"?><a/>'],
    ["UTF-16 BOM", "\xff\xfe<\0a\0/\0>\0"],
    ["control character", "<a>\x01</a>"],
    ["invalid UTF-8", "<a>\xff</a>"],
    ["overlong UTF-8", "<a>\xc0\xaf</a>"],
    ["UTF-8 surrogate", "<a>\xed\xa0\x80</a>"],
    ["invalid element name", "<1a/>"],
    ["end tag with junk", "<a></a x>"],
    ["only a declaration", '<?xml version="1.0"?>'],
    ["only whitespace", "  \n "],
    ["<! inside content", "<a><!x></a>"],
    ["unterminated DOCTYPE", "<!DOCTYPE a [ <a/>"],
  ])("%s", (_name, body) => {
    const r = processXml(body, "", limits);
    expect(r.error).toMatch(/^XML parsing error: /);
    expect(r.xmlText).toEqual([]);
    expect(r.variables.get(XML_ATTRIBUTES_VARIABLE)).toEqual([]);
  });

  it("an empty body is no error", () => {
    const r = processXml("", "", limits);
    expect(r.error).toBeUndefined();
    expect(r.xmlText).toEqual([]);
  });

  it(`nesting is limited to libxml2's ${XML_MAX_DEPTH}`, () => {
    const ok = `${"<a>".repeat(XML_MAX_DEPTH)}${"</a>".repeat(XML_MAX_DEPTH)}`;
    const deep = `${"<a>".repeat(XML_MAX_DEPTH + 1)}${"</a>".repeat(XML_MAX_DEPTH + 1)}`;
    expect(processXml(ok, "", limits).error).toBeUndefined();
    expect(processXml(deep, "", limits).error).toMatch(/Excessive depth/);
  });

  it("many attributes on one element stay linear (no per-element rescans)", () => {
    const n = 50_000;
    const body = `<a ${Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(" ")}/>`;
    const t = performance.now();
    const r = processXml(body, "", limits);
    expect(r.error).toBeUndefined();
    expect((r.variables.get(XML_ATTRIBUTES_VARIABLE) as unknown[]).length).toBe(n);
    expect(performance.now() - t).toBeLessThan(300);
  });
});
