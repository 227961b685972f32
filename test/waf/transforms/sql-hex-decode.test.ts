import { describe } from "vitest";
import { table } from "./cases.js";

describe("sqlHexDecode", () => {
  table("sqlHexDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["0x414243", "ABC"],
    ["0X41", "A"],
    ["SELECT 0x6164696e, 0x0", "SELECT adin, 0x0"],
    ["0x414", "A4"],
    ["0x41g", "Ag"],
    ["0x", "0x"],
    ["0x4", "0x4"],
    ["00x41", "0A"],
    ["0x0x41", "0xA"],
    ["x41", "x41"],
    ["0x00ff", "\0\xff"],
  ]);
});
