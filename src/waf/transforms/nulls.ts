/** t:removeNulls and t:replaceNulls (NUL -> space), as ModSecurity v3's remove_nulls.cc / replace_nulls.cc. */
import { registerTransform } from "./registry.js";

export function removeNulls(input: string): string {
  return input.indexOf("\0") === -1 ? input : input.replaceAll("\0", "");
}

export function replaceNulls(input: string): string {
  return input.indexOf("\0") === -1 ? input : input.replaceAll("\0", " ");
}

registerTransform("removeNulls", removeNulls);
registerTransform("replaceNulls", replaceNulls);
