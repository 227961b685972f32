/**
 * t:md5 and t:sha1: the raw digest bytes (16 and 20 bytes), not hex, as ModSecurity v3's md5.cc
 * and sha1.cc; rules usually follow them with t:hexEncode.
 */
import { createHash } from "node:crypto";
import { registerTransform } from "./registry.js";

export function md5(input: string): string {
  return createHash("md5").update(input, "latin1").digest().toString("latin1");
}

export function sha1(input: string): string {
  return createHash("sha1").update(input, "latin1").digest().toString("latin1");
}

registerTransform("md5", md5);
registerTransform("sha1", sha1);
