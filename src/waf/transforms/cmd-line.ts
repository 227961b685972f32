/**
 * t:cmdLine: normalises a command line against evasion, as ModSecurity v3 does it
 * (src/actions/transformations/cmd_line.cc, after Frank Scholz's original):
 * deletes \ " ' ^; turns space, tab, CR, LF, ',' and ';' (and runs of them) into one space;
 * drops the space before '/' and '('; lower-cases ASCII letters. The deleted chars do not end a
 * run of spaces ("a ^ b" -> "a b").
 */
import { registerTransform } from "./registry.js";

export function cmdLine(input: string): string {
  const n = input.length;
  let out = "";
  let space = false;
  let start = 0; // start of a run of plain, already lower-case bytes copied by slice
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      space = false;
      continue;
    }
    out += input.slice(start, i);
    start = i + 1;
    switch (c) {
      case 34: // "
      case 39: // '
      case 92: // \
      case 94: // ^
        break;
      case 32:
      case 44: // ,
      case 59: // ;
      case 9:
      case 13:
      case 10:
        if (!space) {
          out += " ";
          space = true;
        }
        break;
      case 47: // /
      case 40: // (
        if (space) out = out.slice(0, -1);
        space = false;
        out += c === 47 ? "/" : "(";
        break;
      default:
        out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
        space = false;
    }
  }
  if (start === 0) return input;
  return out + input.slice(start);
}

registerTransform("cmdLine", cmdLine);
