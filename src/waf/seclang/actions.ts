/**
 * The action list of SecRule / SecAction / SecDefaultAction / SecRuleUpdateActionById:
 * `id:1,phase:2,t:none,msg:'a, b',setvar:'tx.x=%{tx.y}',ctl:ruleRemoveTargetById=1;ARGS:foo,block`.
 *
 * Follows ModSecurity v2's msre_parse_actions (the reference for the manual's syntax): actions are
 * separated by commas, a value follows the first colon, a value quoted with ' may hold commas and
 * `\'` stands for ' inside it. Other backslashes are kept as written, as libmodsecurity keeps them
 * (v2 would turn `\\` into one); `\\` is read as a pair, so the quote after it closes the value,
 * the same parity rule as for quoted arguments (lexer.ts). An unquoted value runs to the next
 * comma outside quotes and keeps any quotes inside it, as Coraza's parseActions does
 * (`setvar:tx.x='a,b'`). Names are lower-cased: ModSecurity matches them case-insensitively.
 * Which actions exist is the engine's business.
 */
import { WafError } from "../errors.js";
import type { ActionNode, SourceLocation } from "../types.js";

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

const COMMA = 44;
const COLON = 58;
const QUOTE = 39;
const BACKSLASH = 92;

function bad(text: string, at: number, why: string, loc: SourceLocation, hint: string): WafError {
  return new WafError("WAF_PARSE", `actions "${text}": ${why} at column ${at + 1}`, loc, { hint });
}

/** Parses an action list (the argument's outer quotes already removed). "" gives []. */
export function parseActions(text: string, loc: SourceLocation): ActionNode[] {
  const out: ActionNode[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && isNameChar(text.charCodeAt(i))) i++;
    if (i === start) {
      const c = text.charCodeAt(i);
      throw bad(
        text,
        i,
        c === COMMA ? "empty action" : `expected an action name, got "${text[i]}"`,
        loc,
        "write actions as name or name:value, separated by single commas",
      );
    }
    const name = text.slice(start, i).toLowerCase();
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i < n && text.charCodeAt(i) === COLON) {
      i++;
      while (i < n && isBlank(text.charCodeAt(i))) i++;
      if (i < n && text.charCodeAt(i) === QUOTE) {
        const open = i;
        i++;
        let value = "";
        let seg = i;
        for (;;) {
          if (i >= n) {
            throw bad(
              text,
              open,
              `unterminated ' quote in the value of ${name}`,
              loc,
              "close the value's quote",
            );
          }
          const c = text.charCodeAt(i);
          if (c === BACKSLASH && i + 1 < n) {
            const nx = text.charCodeAt(i + 1);
            if (nx === QUOTE) {
              value += text.slice(seg, i);
              seg = i + 1;
              i += 2;
              continue;
            }
            if (nx === BACKSLASH) {
              i += 2;
              continue;
            }
          } else if (c === QUOTE) break;
          i++;
        }
        value += text.slice(seg, i);
        i++;
        while (i < n && isBlank(text.charCodeAt(i))) i++;
        if (i < n && text.charCodeAt(i) !== COMMA) {
          throw bad(
            text,
            i,
            `unexpected "${text[i]}" after the quoted value of ${name}`,
            loc,
            "quote the whole value: name:'value'",
          );
        }
        out.push({ name, param: value });
      } else {
        const vs = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA) break;
          if (c === QUOTE) {
            // A quoted part inside an unquoted value protects its commas and is kept as written.
            const open = i;
            i++;
            while (i < n && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
            if (i >= n) {
              throw bad(text, open, `unterminated ' quote in the value of ${name}`, loc, "close the quote");
            }
          }
          i++;
        }
        let ve = i;
        while (ve > vs && isBlank(text.charCodeAt(ve - 1))) ve--;
        out.push({ name, param: text.slice(vs, ve) });
      }
    } else if (i < n && text.charCodeAt(i) !== COMMA) {
      throw bad(
        text,
        i,
        `unexpected "${text[i]}" after action ${name}`,
        loc,
        "write actions as name or name:value, separated by commas",
      );
    } else {
      out.push({ name });
    }
    if (i >= n) break;
    i++; // the comma
  }
  return out;
}
