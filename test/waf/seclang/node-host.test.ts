import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { globFiles, nodeHost, parseSecLangFile } from "../../../src/waf/seclang/index.js";

let root = "";

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rampart-seclang-"));
  mkdirSync(join(root, "rules"));
  mkdirSync(join(root, "rules", "sub.conf.d"));
  mkdirSync(join(root, "plugins"));
  writeFileSync(
    join(root, "main.conf"),
    'Include crs-setup.conf\nInclude rules/*.conf\nInclude "plugins/*-before.conf"\n',
  );
  writeFileSync(join(root, "crs-setup.conf"), 'SecAction "id:900990,phase:1,pass,nolog"\n');
  writeFileSync(
    join(root, "rules", "REQUEST-911.conf"),
    'SecRule REQUEST_METHOD "!@within GET" "id:911100,phase:1,block"\n',
  );
  writeFileSync(join(root, "rules", "REQUEST-901.conf"), "SecMarker A\n");
  writeFileSync(join(root, "rules", ".hidden.conf"), "SecBogus\n");
  writeFileSync(join(root, "rules", "notes.txt"), "SecBogus\n");
  writeFileSync(join(root, "plugins", "x-before.conf"), "SecMarker \xe9\n", "latin1");
  writeFileSync(join(root, "loop.conf"), "Include loop.conf\n");
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("globFiles", () => {
  it.each<[string, string[]]>([
    ["rules/*.conf", ["rules/REQUEST-901.conf", "rules/REQUEST-911.conf"]],
    ["rules/REQUEST-9?1.conf", ["rules/REQUEST-901.conf", "rules/REQUEST-911.conf"]],
    ["rules/.*.conf", ["rules/.hidden.conf"]],
    ["rules/*", ["rules/REQUEST-901.conf", "rules/REQUEST-911.conf", "rules/notes.txt"]],
    ["*/x-*.conf", ["plugins/x-before.conf"]],
    ["rules/*.nothing", []],
    ["missing/*.conf", []],
    ["crs-setup.conf", ["crs-setup.conf"]],
  ])("%s", (pattern, expected) => {
    expect(globFiles(join(root, pattern))).toEqual(expected.map((p) => join(root, p)));
  });
});

describe("nodeHost and parseSecLangFile", () => {
  it("reads bytes as latin1, one char per byte", () => {
    expect(nodeHost.readFile(join(root, "plugins", "x-before.conf"))).toBe("SecMarker \xe9\n");
  });

  it("follows Includes and globs on disk in order", () => {
    const st = parseSecLangFile(join(root, "main.conf"));
    expect(st.map((s) => (s.type === "rule" ? s.rule.actions[0]?.param : s.directive.args[0]))).toEqual([
      "900990",
      "A",
      "911100",
      "\xe9",
    ]);
  });

  it("reports a missing file and an include loop as WAF_INCLUDE", () => {
    const missing = (() => {
      try {
        parseSecLangFile(join(root, "absent.conf"));
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(WafError);
    expect((missing as WafError).code).toBe("WAF_INCLUDE");
    expect(() => parseSecLangFile(join(root, "loop.conf"))).toThrow(/Include cycle/);
  });
});
