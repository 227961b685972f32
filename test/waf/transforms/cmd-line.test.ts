import { describe } from "vitest";
import { table } from "./cases.js";

describe("cmdLine", () => {
  // Coraza's testdata/cmdLine.json plus the reference's rules one by one.
  table("cmdLine", [
    ["", ""],
    ["test", "test"],
    ["C^OMMAND /C DIR", "command/c dir"],
    ["C^oMMaNd /C DiR", "command/c dir"],
    ["cmd,/c DiR", "cmd/c dir"],
    ['"command" /c DiR', "command/c dir"],
    ["c\\a't\"e^r", "cater"],
    ["a \t\r\n,; b", "a b"],
    ["a ^ b", "a b"],
    ["a ( b", "a( b"],
    ["echo  (  x", "echo( x"],
    [" /etc/passwd", "/etc/passwd"],
    ["\x0b\x0c", "\x0b\x0c"],
    ["\xc0\xff ABC", "\xc0\xff abc"],
    ["\0", "\0"],
    [";;;", " "],
  ]);
});
