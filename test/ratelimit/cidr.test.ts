import { describe, expect, it } from "vitest";
import { CidrSet, isIp, normalizeIp } from "../../src/ratelimit/cidr.js";

describe("normalizeIp", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    [" 10.0.0.1 ", "10.0.0.1"],
    ["255.255.255.255", "255.255.255.255"],
    ["0.0.0.0", "0.0.0.0"],
    ["1.2.3.4:8080", "1.2.3.4"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["::FFFF:a00:1", "10.0.0.1"],
    ["::1", "::1"],
    ["::", "::"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"], // leftmost longest run
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["1::", "1::"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
  ])("%j -> %s", (text, expected) => {
    expect(normalizeIp(text)).toBe(expected);
    expect(isIp(text)).toBe(true);
  });

  it.each([
    [""],
    [" "],
    ["unknown"],
    ["1.2.3"],
    ["1.2.3.4.5"],
    ["256.1.1.1"],
    ["01.2.3.4"], // leading zero: octal to some parsers
    ["1.2.3.-4"],
    ["1..3.4"],
    ["1.2.3.4:"],
    ["1.2.3.4:http"],
    ["1.2.3.4:123456"],
    ["[::1]:"],
    ["[::1]:x"],
    [":::"],
    ["1:2:3:4:5:6:7:8:9"],
    ["1::2::3"],
    ["12345::"],
    ["::g"],
    ["1:2:3:4:5:6:7::8"], // "::" must stand for at least one group
    [":1::"],
    ["1:"],
    ["[::1"],
    ["[::1]x"],
    ["::ffff:1.2.3.256"],
    ["\u0661.2.3.4"],
    ["\uFFFD\uFFFD"], // what invalid UTF-8 decodes to
    ["1".repeat(100_000)],
  ])("refuses %j", (text) => {
    expect(normalizeIp(text)).toBeUndefined();
    expect(isIp(text)).toBe(false);
  });
});

describe("CidrSet", () => {
  it.each<[string[], string, boolean]>([
    [["10.0.0.0/8"], "10.1.2.3", true],
    [["10.0.0.0/8"], "11.0.0.1", false],
    [["10.0.0.0/8"], "::ffff:10.9.9.9", true], // IPv4-mapped peer of a dual-stack socket
    [["10.0.0.0/8"], "::a09:909", false], // IPv4-compatible (deprecated) is not mapped
    [["192.168.1.10"], "192.168.1.10", true], // a bare address is a /32
    [["192.168.1.10"], "192.168.1.11", false],
    [["0.0.0.0/0"], "203.0.113.9", true],
    [["0.0.0.0/0"], "2001:db8::1", false], // an IPv4 block holds no IPv6 address
    [["::/0"], "203.0.113.9", true], // ... but the IPv6 "everything" holds mapped IPv4
    [["172.16.0.0/12"], "172.31.255.255", true],
    [["172.16.0.0/12"], "172.32.0.0", false],
    [["10.1.2.3/8"], "10.200.0.1", true], // host bits in the block are ignored
    [["2001:db8::/32"], "2001:db8:ffff::1", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:db8::/33"], "2001:db8:7fff::1", true],
    [["2001:db8::/33"], "2001:db8:8000::1", false],
    [["::1/128"], "::1", true],
    [["::1/128"], "[::1]:8080", true],
    [["::ffff:10.0.0.0/104"], "10.2.3.4", true],
    [["fe80::/10"], "fe80::1%eth0", true],
    [["10.0.0.0/8", "2001:db8::/32"], "2001:db8::5", true],
    [[], "10.0.0.1", false],
    [["10.0.0.0/8"], "not an ip", false],
    [["10.0.0.0/8"], "", false],
  ])("%j has %j: %s", (cidrs, ip, expected) => {
    expect(new CidrSet(cidrs).has(ip)).toBe(expected);
  });

  it.each([
    ["10.0.0.0/33"],
    ["10.0.0.0/-1"],
    ["10.0.0.0/"],
    ["10.0.0.0/8/8"],
    ["2001:db8::/129"],
    ["10.0.0/8"],
    ["localhost"],
    [""],
    ["[::1]/128"],
    ["10.0.0.1:80/32"],
    ["fe80::1%eth0/64"],
  ])("refuses %j with RATELIMIT_BAD_CIDR", (cidr) => {
    expect(() => new CidrSet([cidr])).toThrow(expect.objectContaining({ code: "RATELIMIT_BAD_CIDR" }));
  });
});
