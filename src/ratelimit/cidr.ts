/**
 * IPv4/IPv6 address parsing and CIDR matching for trusted-proxy lists, with no allocation per match.
 *
 * Every address is held as 128 bits; IPv4 is stored as its IPv4-mapped IPv6 form ::ffff:a.b.c.d
 * (RFC 4291 2.5.5.2), and an IPv4 CIDR a.b.c.d/n becomes ::ffff:a.b.c.d/(96+n). So a dual-stack
 * socket's "::ffff:10.0.0.1" matches "10.0.0.0/8", and "10.0.0.1" matches "::ffff:10.0.0.0/104",
 * without special cases. Text forms follow RFC 4291 2.2 (with "::" and an embedded dotted quad) and
 * RFC 5952 for output. Dotted quads with leading zeros are refused: "010.0.0.1" is octal to some
 * parsers and decimal to others, and a trust decision must not depend on which.
 */
import { RateLimitError } from "./errors.js";

/** Scratch groups of the last parsed address (8 x 16 bits). Single-threaded, so one buffer suffices. */
const scratch = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Parses a dotted quad in s[from, to); returns the 32-bit value or -1. */
function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let n = 0;
    let digits = 0;
    const start = i;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || n > 255) return -1;
    if (digits > 1 && s.charCodeAt(start) === 0x30) return -1; // leading zero: ambiguous
    value = value * 256 + n;
    parts++;
    if (parts < 4) {
      if (i >= to || s.charCodeAt(i) !== 0x2e) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

/** Parses an IPv6 text address in s[from, to) into scratch; false when invalid. */
function parseV6(s: string, from: number, to: number): boolean {
  let g = 0;
  let gap = -1; // group index where "::" stands
  let i = from;
  if (to - from < 2) return false;
  if (s.charCodeAt(i) === 0x3a) {
    if (s.charCodeAt(i + 1) !== 0x3a) return false;
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let v = 0;
    let n = 0;
    let j = i;
    while (j < to) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      n++;
      j++;
    }
    if (j < to && s.charCodeAt(j) === 0x2e) {
      // Embedded IPv4 in the last two groups (::ffff:1.2.3.4, 64:ff9b::1.2.3.4).
      if (g > 6) return false;
      const v4 = parseV4(s, i, to);
      if (v4 < 0) return false;
      scratch[g++] = v4 >>> 16;
      scratch[g++] = v4 & 0xffff;
      i = to;
      break;
    }
    if (n === 0 || n > 4 || g >= 8) return false;
    scratch[g++] = v;
    i = j;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = g;
      i++;
    } else if (i === to) {
      return false; // a trailing single colon
    }
  }
  if (gap < 0) return g === 8;
  if (g >= 8) return false; // "::" stands for at least one zero group
  const tail = g - gap;
  for (let k = 0; k < tail; k++) scratch[7 - k] = scratch[g - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) scratch[k] = 0;
  return true;
}

function setMappedV4(v4: number): void {
  scratch[0] = scratch[1] = scratch[2] = scratch[3] = scratch[4] = 0;
  scratch[5] = 0xffff;
  scratch[6] = v4 >>> 16;
  scratch[7] = v4 & 0xffff;
}

/** True when s[from, to) is a port number: 1 to 5 decimal digits. */
function isPort(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 5) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** What kind of text the last parse saw: 4 for a dotted quad, 6 for IPv6 text, 0 for invalid. */
type Family = 0 | 4 | 6;

/**
 * Parses an address as it appears in a socket or an X-Forwarded-For entry: "1.2.3.4",
 * "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]:443", "fe80::1%eth0". Leaves it in scratch.
 */
function parseInto(text: string): Family {
  let from = 0;
  let to = text.length;
  while (from < to && text.charCodeAt(from) <= 0x20) from++;
  while (to > from && text.charCodeAt(to - 1) <= 0x20) to--;
  if (from === to) return 0;
  if (text.charCodeAt(from) === 0x5b) {
    const close = text.indexOf("]", from);
    if (close < 0 || close > to) return 0;
    if (close + 1 !== to && (text.charCodeAt(close + 1) !== 0x3a || !isPort(text, close + 2, to))) return 0;
    from++;
    to = close;
  }
  const zone = text.indexOf("%", from);
  if (zone >= 0 && zone < to) to = zone;
  const colon = text.indexOf(":", from);
  if (colon < 0 || colon >= to) {
    const v4 = parseV4(text, from, to);
    if (v4 < 0) return 0;
    setMappedV4(v4);
    return 4;
  }
  const dot = text.indexOf(".", from);
  if (dot >= 0 && dot < to && text.indexOf(":", colon + 1) < 0) {
    // "1.2.3.4:port"
    if (!isPort(text, colon + 1, to)) return 0;
    const v4 = parseV4(text, from, colon);
    if (v4 < 0) return 0;
    setMappedV4(v4);
    return 4;
  }
  return parseV6(text, from, to) ? 6 : 0;
}

function isMappedV4(g: Uint16Array): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/** RFC 5952 text of the scratch address; IPv4-mapped addresses print as dotted quads. */
function formatScratch(): string {
  const g = scratch;
  if (isMappedV4(g)) return `${g[6]! >>> 8}.${g[6]! & 0xff}.${g[7]! >>> 8}.${g[7]! & 0xff}`;
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(":")) out += ":";
    out += g[i]!.toString(16);
  }
  return out;
}

/** Canonical text of an address (RFC 5952; IPv4-mapped as dotted quad), or undefined if invalid. */
export function normalizeIp(text: string): string | undefined {
  return parseInto(text) === 0 ? undefined : formatScratch();
}

/** True when `text` is an IPv4 or IPv6 address in one of the forms parseInto() accepts. */
export function isIp(text: string): boolean {
  return parseInto(text) !== 0;
}

interface Cidr {
  readonly words: Uint32Array; // network address, already masked
  readonly masks: Uint32Array;
}

function wordsOfScratch(): Uint32Array {
  const w = new Uint32Array(4);
  for (let k = 0; k < 4; k++) w[k] = ((scratch[2 * k]! << 16) | scratch[2 * k + 1]!) >>> 0;
  return w;
}

function masksFor(bits: number): Uint32Array {
  const m = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    const b = Math.min(32, Math.max(0, bits - 32 * k));
    m[k] = b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
  }
  return m;
}

/**
 * A set of CIDR blocks ("10.0.0.0/8", "2001:db8::/32", a bare address = a single host), compiled
 * once. `has()` parses its argument into a scratch buffer and compares 4 words per block.
 */
export class CidrSet {
  private readonly blocks: Cidr[];
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    this.blocks = cidrs.map(parseCidr);
    this.size = this.blocks.length;
  }

  has(ip: string): boolean {
    if (this.size === 0 || parseInto(ip) === 0) return false;
    return this.matchScratch();
  }

  /** @internal matches the address last parsed into scratch. */
  matchScratch(): boolean {
    const g = scratch;
    const w0 = ((g[0]! << 16) | g[1]!) >>> 0;
    const w1 = ((g[2]! << 16) | g[3]!) >>> 0;
    const w2 = ((g[4]! << 16) | g[5]!) >>> 0;
    const w3 = ((g[6]! << 16) | g[7]!) >>> 0;
    for (const b of this.blocks) {
      const m = b.masks;
      const n = b.words;
      if (
        (w0 & m[0]!) >>> 0 === n[0] &&
        (w1 & m[1]!) >>> 0 === n[1] &&
        (w2 & m[2]!) >>> 0 === n[2] &&
        (w3 & m[3]!) >>> 0 === n[3]
      ) {
        return true;
      }
    }
    return false;
  }
}

function badCidr(text: string, why: string): RateLimitError {
  return new RateLimitError("RATELIMIT_BAD_CIDR", `invalid CIDR ${JSON.stringify(text)}: ${why}`, {
    hint: 'write an address or address/prefix, e.g. "10.0.0.0/8", "192.168.1.10", "2001:db8::/32"',
  });
}

function parseCidr(text: string): Cidr {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  if (/[[\]%]/.test(addr) || /^\s*\d+\.\d+\.\d+\.\d+:/.test(addr)) throw badCidr(text, "not a plain address");
  const family = parseInto(addr);
  if (family === 0) throw badCidr(text, "not an IPv4 or IPv6 address");
  const max = family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw badCidr(text, `prefix length must be 0..${max}`);
    bits = Number(p);
  }
  if (family === 4) bits += 96;
  const masks = masksFor(bits);
  const words = wordsOfScratch();
  for (let k = 0; k < 4; k++) words[k] = (words[k]! & masks[k]!) >>> 0;
  return { words, masks };
}

/** @internal for client-ip.ts: parse into scratch, then match or format without re-parsing. */
export const scratchOps = { parse: parseInto, format: formatScratch };
