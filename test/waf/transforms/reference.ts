/**
 * Direct, unoptimised ports of ModSecurity v3's byte loops for the transformations whose Rampart
 * version is written differently for speed (native regex passes instead of one byte loop). The
 * property tests compare the two on random byte strings.
 */

/** cmd_line.cc, CmdLine::execute. */
export function refCmdLine(input: string): string {
  const out: number[] = [];
  let space = false;
  for (let i = 0; i < input.length; i++) {
    const a = input.charCodeAt(i);
    switch (a) {
      case 34:
      case 39:
      case 92:
      case 94:
        break;
      case 32:
      case 44:
      case 59:
      case 9:
      case 13:
      case 10:
        if (!space) {
          out.push(32);
          space = true;
        }
        break;
      case 47:
      case 40:
        if (space) out.pop();
        space = false;
        out.push(a);
        break;
      default:
        out.push(a >= 65 && a <= 90 ? a + 32 : a);
        space = false;
    }
  }
  return String.fromCharCode(...out);
}

/** remove_comments_char.cc: erase a marker and look again at the same position. */
export function refRemoveCommentsChar(input: string): string {
  let s = input;
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("/*", i) || s.startsWith("*/", i)) s = s.slice(0, i) + s.slice(i + 2);
    else if (s.startsWith("<!--", i)) s = s.slice(0, i) + s.slice(i + 4);
    else if (s.startsWith("-->", i)) s = s.slice(0, i) + s.slice(i + 3);
    else if (s.startsWith("--", i)) s = s.slice(0, i) + s.slice(i + 2);
    else if (s[i] === "#") s = s.slice(0, i) + s.slice(i + 1);
    else i++;
  }
  return s;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** compress_whitespace.cc. */
export function refCompressWhitespace(input: string): string {
  let out = "";
  let inWhiteSpace = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (isSpace(c)) {
      if (!inWhiteSpace) out += " ";
      inWhiteSpace = true;
    } else {
      inWhiteSpace = false;
      out += input[i];
    }
  }
  return out;
}

/** ::tolower / ::toupper in the C locale. */
export function refLowercase(input: string): string {
  return input.replace(/[A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 32));
}

export function refUppercase(input: string): string {
  return input.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 32));
}
