/**
 * t:cmdLine: normalises a command line against evasion, as ModSecurity v3 does it
 * (src/actions/transformations/cmd_line.cc, after Frank Scholz's original):
 * deletes \ " ' ^; turns space, tab, CR, LF, ',' and ';' (and runs of them) into one space;
 * drops the space before '/' and '('; lower-cases ASCII letters.
 *
 * The reference is a one-pass state machine in which deleted chars leave the "in a run of spaces"
 * state alone ("a ^ b" -> "a b") and '/' or '(' pop the space that was just written. That is the
 * same as these native passes in order: delete, collapse runs, drop the space before '/' or '(',
 * lower-case; they are much faster in V8 than a byte loop.
 */
import { lowercase } from "./case.js";
import { registerTransform } from "./registry.js";

/** Anything the passes below would change. One regex: V8's indexOf is slow for " /"-like needles. */
const NEEDS_WORK = /[\\"'^,;\t\n\rA-Z]| [ /(]/;
const DELETED = /[\\"'^]+/g;
const SEPARATORS = /[ ,;\t\r\n]+/g;
const SPACE_BEFORE = / (?=[/(])/g;

export function cmdLine(input: string): string {
  // Most values have none of these and come back unchanged after one native scan.
  if (!NEEDS_WORK.test(input)) return input;
  return lowercase(input.replace(DELETED, "").replace(SEPARATORS, " ").replace(SPACE_BEFORE, ""));
}

registerTransform("cmdLine", cmdLine);
