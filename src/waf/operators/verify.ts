/**
 * Data-leak checks: @verifyCC (credit card numbers), @verifySSN (US social security numbers),
 * @verifyCPF (Brazilian CPF). The parameter is a regex that finds candidates; each candidate is then
 * checked (Luhn, SSN area/group/serial rules, CPF check digits) and the first valid one matches, as
 * ModSecurity v3 does (src/operators/verify_cc.cc, verify_ssn.cc, verify_cpf.cc). TX.0 = the match.
 */
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { paramError } from "./param.js";
import { type CompiledRegex, CR_STAND_IN, compilePcre } from "./regex.js";
import { registerOperator } from "./registry.js";

function digitsOf(s: string): number[] {
  const d: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) d.push(c - 48);
  }
  return d;
}

/** Luhn mod-10 check (ISO/IEC 7812-1 annex B) over the digits of `s`, other chars ignored. */
export function luhnValid(s: string): boolean {
  const d = digitsOf(s);
  if (d.length === 0) return false;
  let sum = 0;
  let dbl = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let v = d[i] as number;
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/**
 * SSN rules as v3 applies them: 9 digits; area not 000, 666 or 900–999; group not 00; serial not
 * 0000; and not all the same digit or a run like 123456789.
 */
export function ssnValid(s: string): boolean {
  const d = digitsOf(s);
  if (d.length !== 9) return false;
  const area = d[0]! * 100 + d[1]! * 10 + d[2]!;
  const group = d[3]! * 10 + d[4]!;
  const serial = d[5]! * 1000 + d[6]! * 100 + d[7]! * 10 + d[8]!;
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  if (d.every((x) => x === d[0])) return false;
  let up = true;
  for (let i = 1; i < 9; i++) if (d[i] !== d[i - 1]! + 1) up = false;
  return !up;
}

/** CPF: 11 digits, not all equal, two mod-11 check digits. */
export function cpfValid(s: string): boolean {
  const d = digitsOf(s);
  if (d.length !== 11 || d.every((x) => x === d[0])) return false;
  for (const len of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += d[i]! * (len + 1 - i);
    const check = ((sum * 10) % 11) % 10;
    if (check !== d[len]) return false;
  }
  return true;
}

function verifier(name: string, valid: (candidate: string) => boolean) {
  return (init: OperatorInit): Operator => {
    if (!init.param.constant) throw paramError(init, name, "macros are not supported");
    let re: CompiledRegex;
    try {
      re = compilePcre(init.param.source);
    } catch (err) {
      throw paramError(init, name, `invalid regular expression: ${(err as Error).message}`, err);
    }
    const global = new RegExp(re.fast.source, "gsm");
    return {
      evaluate(input: ByteString, ctx: OperatorContext): boolean {
        global.lastIndex = 0;
        const subject = input.indexOf("\r") === -1 ? input : input.replaceAll("\r", CR_STAND_IN);
        for (let m = global.exec(subject); m !== null; m = global.exec(subject)) {
          if (m[0].length === 0) global.lastIndex++;
          if (valid(m[0])) {
            if (ctx.captures !== undefined) ctx.captures[0] = m[0].replaceAll(CR_STAND_IN, "\r");
            return true;
          }
        }
        return false;
      },
    };
  };
}

registerOperator("verifyCC", verifier("verifyCC", luhnValid));
registerOperator("verifySSN", verifier("verifySSN", ssnValid));
registerOperator("verifyCPF", verifier("verifyCPF", cpfValid));
