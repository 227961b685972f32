/**
 * t:trim, t:trimLeft, t:trimRight: C isspace (space, \t \n \v \f \r) at the ends, as ModSecurity
 * v3's trim.cc. JS's String.prototype.trim is not used: it also strips 0xA0 and Unicode spaces.
 */
import { isSpace } from "./bytes.js";
import { registerTransform } from "./registry.js";

function firstNonSpace(input: string): number {
  let i = 0;
  while (i < input.length && isSpace(input.charCodeAt(i))) i++;
  return i;
}

function endNonSpace(input: string): number {
  let j = input.length;
  while (j > 0 && isSpace(input.charCodeAt(j - 1))) j--;
  return j;
}

export function trimLeft(input: string): string {
  const i = firstNonSpace(input);
  return i === 0 ? input : input.slice(i);
}

export function trimRight(input: string): string {
  const j = endNonSpace(input);
  return j === input.length ? input : input.slice(0, j);
}

export function trim(input: string): string {
  const j = endNonSpace(input);
  const i = j === 0 ? 0 : firstNonSpace(input);
  return i === 0 && j === input.length ? input : input.slice(i, j);
}

registerTransform("trim", trim);
registerTransform("trimLeft", trimLeft);
registerTransform("trimRight", trimRight);
