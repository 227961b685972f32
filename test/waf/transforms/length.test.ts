import { describe } from "vitest";
import { HUGE, table } from "./cases.js";

describe("length", () => {
  // ModSecurity tests/tfn/length.t plus odd cases.
  table("length", [
    ["", "0"],
    ["0", "1"],
    ["Test\0Case", "9"],
    ["\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", "16"],
    ["\xff\xc3\xa9", "3"],
    [HUGE, String(HUGE.length)],
  ]);
});
