/**
 * t:hexEncode (lower-case hex of every byte) and t:hexDecode, as ModSecurity v3's hex_encode.cc and
 * hex_decode.cc. hexDecode does not validate: each pair goes through ModSecurity's x2c, so non-hex
 * digits give the same bytes the reference gives ("0z" -> 0x23), and an odd last digit is dropped.
 * (Coraza rejects invalid hex instead; ModSecurity is followed since CRS is written against it.)
 */
import { x2c } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function hexEncode(input: string): string {
  return Buffer.from(input, "latin1").toString("hex");
}

export function hexDecode(input: string): string {
  const n = input.length >> 1;
  const out = Buffer.allocUnsafe(n);
  for (let k = 0; k < n; k++) out[k] = x2c(input.charCodeAt(2 * k), input.charCodeAt(2 * k + 1));
  return out.toString("latin1");
}

registerTransform("hexEncode", hexEncode);
registerTransform("hexDecode", hexDecode);
