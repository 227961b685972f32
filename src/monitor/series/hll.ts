/**
 * HyperLogLog sketches of distinct clients: a gateway adds each request's client address to the
 * sketch of its second, the control plane merges sketches (register-wise max) across gateways,
 * seconds, minutes and hours, so "how many distinct clients in this incident" has an answer of
 * bounded size for any window.
 *
 * Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a near-optimal cardinality
 * estimation algorithm" (AofA 2007): m = 2^p registers each holding the largest rank (leading
 * zeros + 1) seen among the hashes routed to it; estimate alpha_m * m^2 / sum(2^-M[j]), with linear
 * counting below 5m/2 and the 32-bit large-range correction. p = 10 gives m = 1024 one-byte
 * registers (1 KiB) and a standard error of 1.04 / sqrt(m) = 3.25 %.
 */

export const HLL_PRECISION = 10;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
/** 1.04 / sqrt(m): the relative standard error of an estimate. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);
const RANK_BITS = 32 - HLL_PRECISION;
const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);
const TWO_32 = 2 ** 32;
/** 2^-rank for every possible rank: the estimate's sum without a Math.pow per register. */
const INVERSE_POWERS = Float64Array.from({ length: RANK_BITS + 2 }, (_, r) => 2 ** -r);

/**
 * 32-bit hash of a string without allocating: FNV-1a over the UTF-16 code units, then MurmurHash3's
 * fmix32 finaliser so that every output bit depends on every input bit (FNV alone leaves the low
 * bits of short, similar keys such as IPv4 addresses poorly mixed, and the register index is taken
 * from the high bits).
 */
export function hashClient(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function newSketch(): Uint8Array {
  return new Uint8Array(HLL_REGISTERS);
}

/** Adds a hashed element (hashClient's output) to the sketch. Allocation-free. */
export function sketchAdd(registers: Uint8Array, hash: number): void {
  const index = hash >>> RANK_BITS;
  const rest = (hash << HLL_PRECISION) >>> 0;
  // Rank: leading zeros of the remaining RANK_BITS bits, plus one (RANK_BITS + 1 when all zero).
  const rank = rest === 0 ? RANK_BITS + 1 : Math.clz32(rest) + 1;
  if (rank > registers[index]!) registers[index] = rank;
}

/** into := into ∪ from (register-wise max). */
export function sketchMerge(into: Uint8Array, from: Uint8Array): void {
  for (let i = 0; i < HLL_REGISTERS; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

export function sketchIsEmpty(registers: Uint8Array): boolean {
  for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) return false;
  return true;
}

/** Estimated number of distinct elements added (0 for an empty sketch). */
export function sketchEstimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const r = registers[i]!;
    sum += INVERSE_POWERS[r]!;
    if (r === 0) zeros++;
  }
  if (zeros === HLL_REGISTERS) return 0;
  const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
  if (raw <= 2.5 * HLL_REGISTERS && zeros > 0) {
    return Math.round(HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros)); // linear counting
  }
  if (raw > TWO_32 / 30) return Math.round(-TWO_32 * Math.log(1 - raw / TWO_32));
  return Math.round(raw);
}

/**
 * Wire form (attestation JSON, SQLite blobs as text): "s" + base64 of (index hi, index lo, rank)
 * triples for a sketch with few registers set (a second of a quiet route sees a handful of
 * clients: 3 bytes each instead of 1 KiB), else "d" + base64 of all registers.
 */
export function encodeSketch(registers: Uint8Array): string {
  let set = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) set++;
  if (set * 3 >= HLL_REGISTERS) return `d${Buffer.from(registers).toString("base64")}`;
  const bytes = Buffer.allocUnsafe(set * 3);
  let o = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const r = registers[i]!;
    if (r === 0) continue;
    bytes[o++] = i >>> 8;
    bytes[o++] = i & 0xff;
    bytes[o++] = r;
  }
  return `s${bytes.toString("base64")}`;
}

/** Merges an encoded sketch into `into`; returns false (and changes nothing) when it is malformed. */
export function mergeEncodedSketch(into: Uint8Array, text: string): boolean {
  const bytes = Buffer.from(text.slice(1), "base64");
  const maxRank = RANK_BITS + 1;
  if (text[0] === "d") {
    if (bytes.length !== HLL_REGISTERS) return false;
    for (let i = 0; i < HLL_REGISTERS; i++) if (bytes[i]! > maxRank) return false;
    sketchMerge(into, bytes);
    return true;
  }
  if (text[0] !== "s" || bytes.length % 3 !== 0) return false;
  for (let o = 0; o < bytes.length; o += 3) {
    const i = (bytes[o]! << 8) | bytes[o + 1]!;
    if (i >= HLL_REGISTERS || bytes[o + 2]! > maxRank) return false;
  }
  for (let o = 0; o < bytes.length; o += 3) {
    const i = (bytes[o]! << 8) | bytes[o + 1]!;
    if (bytes[o + 2]! > into[i]!) into[i] = bytes[o + 2]!;
  }
  return true;
}
