/**
 * @ipMatch (comma-separated addresses and CIDR blocks) and @ipMatchFromFile / @ipMatchF (one per
 * line, `#` comments), IPv4 and IPv6, as ModSecurity v3 (src/operators/ip_match.cc over
 * src/utils/msc_tree.cc). An input that is not an address never matches. Addresses are parsed once
 * at load into (network, prefix) pairs; a lookup is a linear scan, fine for the few entries rules hold.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { paramError } from "./param.js";
import { registerOperator } from "./registry.js";

interface Block {
  readonly v6: boolean;
  /** 4 or 16 bytes. */
  readonly net: Uint8Array;
  readonly prefix: number;
}

function v4Bytes(s: string): Uint8Array | undefined {
  if (!isIPv4(s)) return undefined;
  return Uint8Array.from(s.split(".").map(Number));
}

function v6Bytes(s: string): Uint8Array | undefined {
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!isIPv6(s)) return undefined;
  // Embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4Bytes(v4[1] as string);
    if (!b) return undefined;
    s = `${s.slice(0, v4.index)}${((b[0] as number) * 256 + (b[1] as number)).toString(16)}:${((b[2] as number) * 256 + (b[3] as number)).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? (s.split("::") as [string, string]) : [s, undefined];
  const hs = head === "" ? [] : head.split(":");
  const ts = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? hs : [...hs, ...new Array<string>(8 - hs.length - ts.length).fill("0"), ...ts];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function parseIpAddress(s: string): { v6: boolean; bytes: Uint8Array } | undefined {
  const t = s.trim();
  const b4 = v4Bytes(t);
  if (b4) return { v6: false, bytes: b4 };
  const b6 = v6Bytes(t);
  return b6 ? { v6: true, bytes: b6 } : undefined;
}

function parseBlock(text: string): Block | undefined {
  const slash = text.indexOf("/");
  const addr = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { v6: addr.v6, net: addr.bytes, prefix };
}

function inBlock(b: Block, addr: Uint8Array): boolean {
  let bits = b.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((addr[i] as number) & mask) !== ((b.net[i] as number) & mask)) return false;
  }
  return true;
}

function ipOperator(blocks: readonly Block[]): Operator {
  return {
    evaluate(input: ByteString, ctx: OperatorContext): boolean {
      const addr = parseIpAddress(input);
      if (!addr) return false;
      for (const b of blocks) {
        if (b.v6 === addr.v6 && inBlock(b, addr.bytes)) {
          if (ctx.captures !== undefined) ctx.captures[0] = input;
          return true;
        }
      }
      return false;
    },
  };
}

function parseList(init: OperatorInit, name: string, entries: string[]): Block[] {
  const blocks: Block[] = [];
  for (const e of entries) {
    const t = e.trim();
    if (t.length === 0) continue;
    const b = parseBlock(t);
    if (!b) throw paramError(init, name, `"${t}" is not an IPv4/IPv6 address or CIDR block`);
    blocks.push(b);
  }
  if (blocks.length === 0) throw paramError(init, name, "no address given");
  return blocks;
}

export function ipMatchFactory(init: OperatorInit): Operator {
  if (!init.param.constant) throw paramError(init, "ipMatch", "macros are not supported in the address list");
  return ipOperator(parseList(init, "ipMatch", init.param.source.split(",")));
}

export function ipMatchFromFileFactory(init: OperatorInit): Operator {
  const name = "ipMatchFromFile";
  const path = init.param.source.trim();
  if (path.length === 0) throw paramError(init, name, "no data file named");
  let text: string;
  try {
    text = init.readDataFile(path);
  } catch (err) {
    throw paramError(init, name, `cannot read data file "${path}": ${(err as Error).message}`, err);
  }
  const lines = text.split(/\r?\n/).filter((l) => !l.trimStart().startsWith("#"));
  return ipOperator(parseList(init, name, lines));
}

registerOperator("ipMatch", ipMatchFactory);
registerOperator("ipMatchFromFile", ipMatchFromFileFactory);
registerOperator("ipMatchF", ipMatchFromFileFactory);
