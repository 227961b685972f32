import { describe } from "vitest";
import { table } from "./cases.js";

describe("removeNulls", () => {
  // ModSecurity tests/tfn/removeNulls.t cases plus odd ones.
  table("removeNulls", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "TestCase"],
    ["\0\0Test\0Case\0\0", "TestCase"],
    ["\0", ""],
    ["\x80\0\xff", "\x80\xff"],
  ]);
});

describe("replaceNulls", () => {
  table("replaceNulls", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test Case"],
    ["\0\0Test\0Case\0\0", "  Test Case  "],
    ["\0", " "],
  ]);
});
