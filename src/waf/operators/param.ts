/**
 * Helpers shared by operator files: parameter errors, macro-aware parameters (constant ones computed
 * once at load, others per evaluation), and ModSecurity's integer parsing.
 */
import { WafError } from "../errors.js";
import type { ByteString, Macro, MacroResolver, OperatorInit } from "../types.js";

export function paramError(init: OperatorInit, operator: string, message: string, cause?: unknown): WafError {
  return new WafError(
    "WAF_OPERATOR_PARAM",
    `@${operator}: ${message}`,
    init.loc,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A parameter derived from the macro text: `derive` runs once at load for constant text, or per
 * evaluation (with a one-entry cache on the expanded text, since TX values rarely change between
 * evaluations of the same rule) when the text holds %{...}.
 */
export class DerivedParam<T> {
  private readonly macro: Macro;
  private readonly derive: (text: ByteString) => T;
  private lastText: ByteString | undefined;
  private lastValue: T | undefined;
  readonly constantValue: T | undefined;

  constructor(macro: Macro, derive: (text: ByteString) => T) {
    this.macro = macro;
    this.derive = derive;
    if (macro.constant) this.constantValue = derive(macro.source);
  }

  get(resolver: MacroResolver): T {
    if (this.macro.constant) return this.constantValue as T;
    const text = this.macro.expand(resolver);
    if (text !== this.lastText || this.lastValue === undefined) {
      this.lastValue = this.derive(text);
      this.lastText = text;
    }
    return this.lastValue;
  }
}

/**
 * Integer value as ModSecurity v3 reads operands of @eq/@gt/...: std::stoi semantics — leading
 * whitespace skipped, optional sign, decimal digits up to the first non-digit ("12abc" → 12); no
 * digits or a value outside int32 → 0 (the exception is caught and 0 used). src/operators/eq.cc.
 */
export function parseModsecInt(s: string): number {
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else break;
  }
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  let v = 0;
  let digits = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    digits++;
    if (v > 2147483648) return 0;
    i++;
  }
  if (digits === 0) return 0;
  const r = neg ? -v : v;
  return r > 2147483647 || r < -2147483648 ? 0 : r;
}

/** Latin1 byte string of a text: chars above 0xFF (Unicode text) become their UTF-8 bytes. */
export function toByteString(text: string): ByteString {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return Buffer.from(text, "utf8").toString("latin1");
  }
  return text;
}
