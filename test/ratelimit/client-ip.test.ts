import { describe, expect, it } from "vitest";
import { CidrSet } from "../../src/ratelimit/cidr.js";
import { clientIp } from "../../src/ratelimit/client-ip.js";

const proxies = ["10.0.0.0/8", "2001:db8:feed::/48"];

describe("clientIp (right-most untrusted, as nginx realip recursive)", () => {
  it.each<[string, string | undefined, string[], string]>([
    // No trusted proxy: the peer, whatever the header says.
    ["203.0.113.7", "1.1.1.1", [], "203.0.113.7"],
    // Untrusted peer: its forged header is ignored.
    ["203.0.113.7", "1.1.1.1", proxies, "203.0.113.7"],
    // Trusted peer without header.
    ["10.0.0.2", undefined, proxies, "10.0.0.2"],
    // One trusted hop.
    ["10.0.0.2", "198.51.100.4", proxies, "198.51.100.4"],
    // Client-forged entry on the left is skipped: the right-most untrusted wins.
    ["10.0.0.2", "6.6.6.6, 198.51.100.4", proxies, "198.51.100.4"],
    // Two trusted hops.
    ["10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.9", proxies, "198.51.100.4"],
    // Every hop trusted: the left-most entry.
    ["10.0.0.2", "10.3.3.3, 10.0.0.9", proxies, "10.3.3.3"],
    // Garbage from a trusted hop: the hop that reported it.
    ["10.0.0.2", "198.51.100.4, unknown", proxies, "10.0.0.2"],
    ["10.0.0.2", "unknown, 10.0.0.9", proxies, "10.0.0.9"],
    // Empty entries and spaces are skipped.
    ["10.0.0.2", " , 198.51.100.4 ,, ", proxies, "198.51.100.4"],
    ["10.0.0.2", "", proxies, "10.0.0.2"],
    // Ports and brackets, as some proxies write them.
    ["10.0.0.2", "198.51.100.4:5555", proxies, "198.51.100.4"],
    ["10.0.0.2", "[2001:db8::77]:443", proxies, "2001:db8::77"],
    // Dual-stack peer in IPv4-mapped form, trusted by its IPv4 block; keys are canonical.
    ["::ffff:10.0.0.2", "2001:DB8:0::9", proxies, "2001:db8::9"],
    ["::ffff:203.0.113.7", undefined, [], "203.0.113.7"],
    // IPv6 trusted proxies.
    ["2001:db8:feed::1", "2001:db8:feed::2, 2001:db8:beef::3", proxies, "2001:db8:beef::3"],
    // A peer that is not an address is returned as is.
    [" weird ", "1.1.1.1", proxies, "weird"],
  ])("peer %j xff %j -> %s", (peer, xff, trusted, expected) => {
    expect(clientIp(peer, xff, trusted)).toBe(expected);
    expect(clientIp(peer, xff, new CidrSet(trusted))).toBe(expected);
  });

  it("handles a huge header without recursion or quadratic work", () => {
    const xff = `${Array.from({ length: 50_000 }, () => "10.1.1.1").join(", ")}, 10.0.0.9`;
    expect(clientIp("10.0.0.2", `198.51.100.4, ${xff}`, proxies)).toBe("198.51.100.4");
  });

  it("reports a bad CIDR in the trusted list", () => {
    expect(() => clientIp("1.2.3.4", undefined, ["10.0.0.0/99"])).toThrow(
      expect.objectContaining({ code: "RATELIMIT_BAD_CIDR" }),
    );
  });
});
