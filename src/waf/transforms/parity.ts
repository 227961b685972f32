/**
 * t:parityEven7bit, t:parityOdd7bit, t:parityZero7bit, as ModSecurity v3's parity_*_7bit.cc: the
 * high bit of every byte is set so that the byte has even (odd) parity, or cleared. As in the
 * reference, the parity is computed over all eight bits of the input byte, high bit included.
 */
import { registerTransform } from "./registry.js";

/** Parity of the 8 bits of b: 1 when an odd number of bits is set (0x6996 is the nibble table). */
function parity8(b: number): number {
  return (0x6996 >> ((b ^ (b >> 4)) & 0xf)) & 1;
}

function mapBytes(input: string, f: (b: number) => number): string {
  const n = input.length;
  let i = 0;
  while (i < n && f(input.charCodeAt(i)) === input.charCodeAt(i)) i++;
  if (i === n) return input;
  const out = Buffer.from(input, "latin1");
  for (; i < n; i++) out[i] = f(out[i] ?? 0);
  return out.toString("latin1");
}

function even(b: number): number {
  return parity8(b) ? b | 0x80 : b & 0x7f;
}

function odd(b: number): number {
  return parity8(b) ? b & 0x7f : b | 0x80;
}

function zero(b: number): number {
  return b & 0x7f;
}

export function parityEven7bit(input: string): string {
  return mapBytes(input, even);
}

export function parityOdd7bit(input: string): string {
  return mapBytes(input, odd);
}

export function parityZero7bit(input: string): string {
  return mapBytes(input, zero);
}

registerTransform("parityEven7bit", parityEven7bit);
registerTransform("parityOdd7bit", parityOdd7bit);
registerTransform("parityZero7bit", parityZero7bit);
