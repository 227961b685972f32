import { describe, expect, it } from "vitest";
import { normalizePath } from "../../../src/waf/transforms/normalize-path.js";
import { table } from "./cases.js";

describe("normalizePath", () => {
  // ModSecurity's normalisePath table (as kept in Coraza's testdata/normalisePath.json); the one
  // row where Coraza's filepath.Clean port differs ("//") has the reference's answer.
  table("normalizePath", [
    ["", ""],
    ["/foo/bar/baz", "/foo/bar/baz"],
    ["/foo/bar\0/baz", "/foo/bar\0/baz"],
    ["x", "x"],
    [".", ""],
    ["./", ""],
    ["./..", ".."],
    ["./../", "../"],
    ["..", ".."],
    ["../", "../"],
    ["../.", ".."],
    [".././", "../"],
    ["../..", "../.."],
    ["../../", "../../"],
    ["/dir/foo//bar", "/dir/foo/bar"],
    ["dir/foo//bar/", "dir/foo/bar/"],
    ["dir/../foo", "foo"],
    ["dir/../../foo", "../foo"],
    ["dir/./.././../../foo/bar", "../../foo/bar"],
    ["dir/./.././../../foo/bar/.", "../../foo/bar"],
    ["dir/./.././../../foo/bar/./", "../../foo/bar/"],
    ["dir/./.././../../foo/bar/..", "../../foo"],
    ["dir/./.././../../foo/bar/../", "../../foo/"],
    ["dir/./.././../../foo/bar/", "../../foo/bar/"],
    ["dir//.//..//.//..//..//foo//bar", "../../foo/bar"],
    ["dir//.//..//.//..//..//foo//bar//", "../../foo/bar/"],
    ["dir/subdir/subsubdir/subsubsubdir/../../..", "dir"],
    ["dir/./subdir/./subsubdir/./subsubsubdir/../../..", "dir"],
    ["dir/./subdir/../subsubdir/../subsubsubdir/..", "dir"],
    ["/dir/./subdir/../subsubdir/../subsubsubdir/../", "/dir/"],
    ["/./.././../../../../../../../\0/../etc/./passwd", "/etc/passwd"],
    ["//", "/"],
    // Odd cases. The reference keeps the root slash of "/.." and then drops it as a trailing slash
    // the input did not have, and it takes any segment ending in ".." ("...") as a back-reference.
    ["/..", ""],
    ["/../", "/"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["/a/.../b", "/a/b"],
    ["/a/..b/./c", "/a/..b/c"],
    ["a\\..\\b", "a\\..\\b"],
    ["///a///", "/a/"],
    ["\xff/../\xe9", "\xe9"],
  ]);

  it("normalizes a deep 100 KB path", () => {
    const deep = "/a/b/..".repeat(15000);
    expect(deep.length).toBeGreaterThan(100_000);
    expect(normalizePath(deep)).toBe(`/a${"/a".repeat(14999)}`);
  });
});

describe("normalizePathWin", () => {
  table("normalizePathWin", [
    ["", ""],
    ["x", "x"],
    ["C:\\foo\\..\\bar\\.\\baz", "C:/bar/baz"],
    ["\\\\server\\share\\..\\x", "/server/x"],
    ["..\\..\\windows\\win.ini", "../../windows/win.ini"],
    ["a\\b\\", "a/b/"],
    ["a/b\\\\c", "a/b/c"],
    ["\\", "/"],
  ]);
});
