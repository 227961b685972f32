import { describe, expect, it } from "vitest";
import { htmlEntityDecode } from "../../../src/waf/transforms/html-entity-decode.js";
import { HUGE, table } from "./cases.js";

describe("htmlEntityDecode", () => {
  // ModSecurity's tests/tfn/htmlEntityDecode.t (current version, with the GHSA-cxqf-vgrr-xxrv cases).
  table("htmlEntityDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["&#x0;&#X0;&#x20;&#X20;&#0;&#32;\0&#100;&quot;&amp;&lt;&gt;&nbsp;", '\0\0\x20\x20\0\x20\0\x64"&<>\xa0'],
    ["&#x0&#X0&#x20&#X20&#0&#32\0&#100&quot&amp&lt&gt&nbsp", '\0\0\x20\x20\0\x20\0\x64"&<>\xa0'],
    [
      "&#xg;&#Xg;&#xg0;&#X2g;&#a;\0&#a2;&#3a&#a00;&#1a0;&#10a;&foo;",
      "&#xg;&#Xg;&#xg0;\x02g;&#a;\0&#a2;\x03a&#a00;\x01a0;\x0aa;&foo;",
    ],
    [
      "&#xg&#Xg&#xg0&#X2g&#a\0&#a2&#3a&#a00&#1a0&#10a&foo",
      "&#xg&#Xg&#xg0\x02g&#a\0&#a2\x03a&#a00\x01a0\x0aa&foo",
    ],
    ["javascript&colon;alert(1)", "javascript:alert(1)"],
    ["it&apos;s", "it's"],
    [
      "&num;&dollar;&percnt;&lpar;&rpar;&ast;&plus;&comma;&period;&sol;&semi;&equals;&quest;&commat;&excl;",
      "#$%()*+,./;=?@!",
    ],
    ["&lbrack;&bsol;&rbrack;&lowbar;&grave;&lbrace;&verbar;&rbrace;&Hat;", "[\\]_`{|}^"],
    ["&lcub;&rcub;&lsqb;&rsqb;&vert;&VerticalLine;&midast;&UnderBar;&DiacriticalGrave;", "{}[]||*_`"],
    ["&NewLine;&Tab;&shy;&NonBreakingSpace;", "\n\t\xad\xa0"],
    ["&dollar;&lcub;jndi&colon;ldap&rcub;", "$" + "{jndi:ldap}"],
    // Not ASCII in HTML5 (U+2041, U+2010, U+02DC): left alone.
    ["&caret;&hyphen;&tilde;", "&caret;&hyphen;&tilde;"],
    // No prefix matching any more.
    ["&ltest;&amped;&gtfoo;", "&ltest;&amped;&gtfoo;"],
    ["&COLON;&Apos;&AMP;&LT", ":'&<"],
    ["&unknown;", "&unknown;"],
    // Odd cases: lone and trailing ampersands, numbers beyond a byte, huge numbers.
    ["&", "&"],
    ["a&", "a&"],
    ["&#", "&#"],
    ["&#x", "&#x"],
    ["&&amp;", "&&"],
    ["& amp;", "& amp;"],
    ["&#321;&#x141;", "AA"],
    ["&#x0000000041;&#0000065", "AA"],
    ["&#99999999999999999999;", "\xff"],
    ["&#xffffffffffffffff41;", "\xff"],
    ["&#x7fffffffffffff41;", "A"],
    ["&#9223372036854775807;&#9223372036854775808;", "\xff\xff"],
    ["&#9223372036854775617;", "A"],
    ["&\xe9;&a\xe9", "&\xe9;&a\xe9"],
  ]);

  it("decodes 100 KB", () => {
    const out = htmlEntityDecode(HUGE);
    expect(out.includes("&amp;")).toBe(false);
    expect(out.length).toBe(HUGE.length - 4000 * 4);
  });
});
