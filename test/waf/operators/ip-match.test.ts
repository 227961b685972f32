import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { parseIpAddress } from "../../../src/waf/operators/index.js";
import { capture, ctx, op } from "./helpers.js";

describe("@ipMatch", () => {
  it.each([
    ["127.0.0.1,::1", "127.0.0.1", true],
    ["127.0.0.1,::1", "::1", true],
    ["127.0.0.1,::1", "0:0:0:0:0:0:0:1", true],
    ["127.0.0.1,::1", "127.0.0.2", false],
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["192.168.1.0/24, 172.16.0.0/12", "172.31.255.255", true],
    ["192.168.1.0/24, 172.16.0.0/12", "172.32.0.0", false],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["0.0.0.0/0", "::1", false],
    ["2001:db8::/32", "2001:db8:1::5", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["::ffff:0:0/96", "::ffff:1.2.3.4", true],
    ["1.2.3.4/31", "1.2.3.5", true],
    ["1.2.3.4/31", "1.2.3.6", false],
    ["127.0.0.1", "not an ip", false],
    ["127.0.0.1", "", false],
    ["127.0.0.1", "127.0.0.1\x00", false],
    ["127.0.0.1", "127.000.0.1", false],
  ])("@ipMatch %s on %j → %s", (param, input, expected) => {
    expect(op("ipMatch", param).evaluate(input, ctx())).toBe(expected);
  });

  it.each([["1.2.3.4/33"], ["::1/129"], ["300.1.1.1"], ["abc"], [""], ["1.2.3.4/x"], ["%{tx.ips}"]])(
    "rejects %j at load",
    (param) => {
      expect(() => op("ipMatch", param)).toThrow(WafError);
    },
  );

  it("captures the address", () => {
    expect(capture(op("ipMatch", "10.0.0.0/8"), "10.1.2.3")).toEqual([true, ["10.1.2.3"]]);
  });

  it("parses IPv6 forms", () => {
    expect([...(parseIpAddress("fe80::1%eth0")?.bytes ?? [])].slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(parseIpAddress("1::2:3:4:5:6:7")?.bytes[15]).toBe(7);
    expect(parseIpAddress("::")?.v6).toBe(true);
  });
});

describe("@ipMatchFromFile / @ipMatchF", () => {
  const files = { "ips.txt": "# office\n10.0.0.0/8\n\n2001:db8::1\r\n" };
  it.each([
    ["10.9.9.9", true],
    ["2001:db8::1", true],
    ["2001:db8::2", false],
    ["192.168.0.1", false],
  ])("%j → %s", (input, expected) => {
    expect(op("ipMatchFromFile", "ips.txt", files).evaluate(input, ctx())).toBe(expected);
    expect(op("ipMatchF", "ips.txt", files).evaluate(input, ctx())).toBe(expected);
  });

  it("fails at load on a missing or bad file", () => {
    expect(() => op("ipMatchFromFile", "nope.txt", files)).toThrow(/cannot read data file/);
    expect(() => op("ipMatchFromFile", "bad.txt", { "bad.txt": "10.0.0.0/8\nfoo\n" })).toThrow(/"foo"/);
  });
});
