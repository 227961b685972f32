/**
 * t:hexEncode (lower-case hex of every byte) and t:hexDecode, as ModSecurity v3's hex_encode.cc and
 * hex_decode.cc. hexDecode does not validate: each pair goes through ModSecurity's x2c, so non-hex
 * digits give the same bytes the reference gives ("0z" -> 0x23), and an odd last digit is dropped.
 * (Coraza rejects invalid hex instead; ModSecurity is followed since CRS is written against it.)
 */
import { chr, x2c } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function hexEncode(input: string): string {
  return Buffer.from(input, "latin1").toString("hex");
}

export function hexDecode(input: string): string {
  const n = input.length - (input.length & 1);
  let out = "";
  for (let i = 0; i < n; i += 2) out += chr(x2c(input.charCodeAt(i), input.charCodeAt(i + 1)));
  return out;
}

registerTransform("hexEncode", hexEncode);
registerTransform("hexDecode", hexDecode);
