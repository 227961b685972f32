import { describe } from "vitest";
import { table } from "./cases.js";

describe("trim family", () => {
  describe("trim", () => {
    table("trim", [
      ["", ""],
      ["TestCase", "TestCase"],
      ["Test\0Case", "Test\0Case"],
      ["  Test Case  ", "Test Case"],
      ["\t\n\x0b\x0c\r Test \t\n\x0b\x0c\r", "Test"],
      ["   ", ""],
      // NUL and 0xA0 are not C whitespace.
      ["\0 x \0", "\0 x \0"],
      ["\xa0x\xa0", "\xa0x\xa0"],
    ]);
  });

  describe("trimLeft", () => {
    table("trimLeft", [
      ["", ""],
      ["  Test Case  ", "Test Case  "],
      ["\r\nx", "x"],
      ["   ", ""],
      ["x", "x"],
    ]);
  });

  describe("trimRight", () => {
    table("trimRight", [
      ["", ""],
      ["  Test Case  ", "  Test Case"],
      ["x\r\n", "x"],
      ["   ", ""],
      ["x", "x"],
    ]);
  });
});
