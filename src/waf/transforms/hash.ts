/**
 * t:md5 and t:sha1: the raw digest bytes (16 and 20 bytes), not hex, as ModSecurity v3's md5.cc
 * and sha1.cc; rules usually follow them with t:hexEncode. crypto.hash (Node >= 20.12) is the
 * one-shot form, several times cheaper than createHash for short values.
 */
import { hash } from "node:crypto";
import { registerTransform } from "./registry.js";

export function md5(input: string): string {
  return hash("md5", Buffer.from(input, "latin1"), "buffer").toString("latin1");
}

export function sha1(input: string): string {
  return hash("sha1", Buffer.from(input, "latin1"), "buffer").toString("latin1");
}

registerTransform("md5", md5);
registerTransform("sha1", sha1);
