import { describe } from "vitest";
import { table, utf8 } from "./cases.js";

const fromHex = (h: string) => Buffer.from(h, "hex").toString("latin1");
const NINE = "\x00\x01\x02\x03\x04\x05\x06\x07\x08";

// Vectors from Coraza's testdata/md5.json and sha1.json (ModSecurity's): raw digest bytes.
describe("md5", () => {
  table("md5", [
    ["", fromHex("d41d8cd98f00b204e9800998ecf8427e")],
    ["zimmerle", fromHex("2d536590292d427e4e14829a45bcfe89")],
    [utf8("진 마 리"), fromHex("c1368359aa2928a530b50007d1deea77")],
    [NINE, fromHex("a6e7d3b46fdfaf0bde2a1f832a00d2de")],
    ["TestCase", fromHex("c9aba2c3e60126169e80e9a26ba273c1")],
  ]);
});

describe("sha1", () => {
  table("sha1", [
    ["", fromHex("da39a3ee5e6b4b0d3255bfef95601890afd80709")],
    ["TestCase", fromHex("a70ce38389e318bd2be18a0111c6dc76bd2cd9ed")],
    [NINE, fromHex("63bf60c7105a07a2b125bbf89e61abdabc6978c2")],
  ]);
});
