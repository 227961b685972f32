/**
 * Detector state across restarts. A streaming detector is plain data in class instances (numbers,
 * typed arrays, nested instances); a restarted control plane that started its detectors cold would
 * need their warm-up again (30 points and more) before it could tell a drop from normal, and would
 * resolve a firing anomaly alert for want of evidence. So the evaluator's per-series state is
 * snapshotted with the structured-clone serialiser (node:v8, which keeps typed arrays and drops
 * prototypes) and restored by copying the snapshot's fields onto a fresh detector built from the
 * same parameters, which gives the prototypes back. A snapshot whose shape does not match (another
 * build of the detector) is refused and the detector starts cold.
 */

import { deserialize, serialize } from "node:v8";
import { deflateSync, inflateSync } from "node:zlib";

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === "object" && v !== null;

/**
 * Copies `source` (a deserialised snapshot) onto `target` (a fresh instance of the same shape):
 * every field of the target must be in the source with the same kind of value; typed arrays of the
 * same type and length are copied in place, nested instances recursively. Returns false, leaving
 * the target partly written, on any mismatch: the caller then discards the target.
 */
export function assignState(target: object, source: unknown): boolean {
  if (!isObject(source) || Array.isArray(source) !== Array.isArray(target)) return false;
  const t = target as Fields;
  const keys = Object.keys(t);
  if (keys.length !== Object.keys(source).length) return false;
  for (const k of keys) {
    if (!(k in source)) return false;
    const tv = t[k];
    const sv = source[k];
    if (ArrayBuffer.isView(tv)) {
      if (!ArrayBuffer.isView(sv) || sv.constructor !== tv.constructor || sv.byteLength !== tv.byteLength) {
        return false;
      }
      new Uint8Array(tv.buffer, tv.byteOffset, tv.byteLength).set(
        new Uint8Array(sv.buffer, sv.byteOffset, sv.byteLength),
      );
    } else if (isObject(tv)) {
      if (!assignState(tv, sv)) return false;
    } else if (typeof tv !== typeof sv) {
      return false;
    } else t[k] = sv;
  }
  return true;
}

/** A compact, self-contained snapshot of any plain-data value (deflated v8 serialisation). */
export function encodeState(value: unknown): Buffer {
  return deflateSync(serialize(value));
}

export function decodeState(bytes: Buffer): unknown {
  return deserialize(inflateSync(bytes));
}
