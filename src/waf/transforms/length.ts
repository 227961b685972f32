/** t:length: the value's length in bytes, as a decimal string (ModSecurity v3's length.cc). */
import { registerTransform } from "./registry.js";

export function length(input: string): string {
  return String(input.length);
}

registerTransform("length", length);
