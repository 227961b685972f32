/** JSON values as the store keeps them (event data, settings, overrides): checked before they are written. */
import { StoreError } from "./errors.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON text of `value`, refusing what JSON cannot carry faithfully (undefined, NaN, functions, cycles). */
export function toJsonText(what: string, value: unknown, maxBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError(`${v} is not a JSON number`);
      if (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol") {
        throw new TypeError(`a ${typeof v} is not JSON`);
      }
      return v;
    });
  } catch (err) {
    throw new StoreError("STORE_INVALID", `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new StoreError("STORE_INVALID", `${what} is not JSON`);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new StoreError(
      "STORE_TOO_LARGE",
      `${what} is ${bytes} bytes, above the limit of ${maxBytes} bytes`,
    );
  }
  return text;
}
