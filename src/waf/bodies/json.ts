/**
 * JSON body processor: every scalar of a JSON body becomes an argument, named as libmodsecurity v3
 * names them (src/request_body_processor/json.cc and json.h, yajl callbacks):
 * - the top-level container is `json`; an object member adds `.key` (`json.a.b`), an array element
 *   adds `.array_N` (`json.arr.array_0`, nested arrays `json.m.array_0.array_1`, an object inside an
 *   array `json.a.array_0.b`); an empty key reads `empty-key`; a scalar body is the argument `json`;
 * - strings are their unescaped bytes; numbers their text exactly as written (`1.0e5` stays so);
 *   booleans `true`/`false`; null an empty value (v3's yajl_null adds "");
 * - arguments come in document order, duplicate keys kept (v3 adds them as yajl reports them).
 * We pick v3's naming over Coraza's (internal/bodyprocessors/json.go: `json.arr.0` plus an array
 * length argument) because CRS exclusions are written against v3's names.
 *
 * The parser is our own, not JSON.parse: JSON.parse loses the text of numbers, reorders
 * integer-like keys, merges duplicate keys and silently replaces invalid UTF-8, all of which change
 * what the rules see. It follows RFC 8259 with yajl's choices: string bytes must be UTF-8 shaped,
 * a lone surrogate escape becomes `?`, nothing but whitespace may follow the value. It is iterative
 * (an explicit stack), so depth only costs memory, and nesting deeper than `maxDepth` is an error
 * ("JSON depth limit exceeded", SecRequestBodyJsonDepthLimit). Arguments found before an error are
 * kept, as v3 adds them while yajl parses.
 */
import type { BodyLimits, BodyParseResult, ByteString } from "../types.js";
import { registerBodyProcessor } from "./registry.js";
import { bodyResult, TOO_MANY_ARGUMENTS } from "./result.js";
import { utf8Bytes, utf8SequenceLength } from "./utf8.js";

interface Container {
  readonly isArray: boolean;
  /** Path of this container's members up to the member name: `json.a.` or `json.arr.array_`. */
  readonly prefix: ByteString;
  /** Array: index of the next element. */
  counter: number;
  /** Object: the key of the member being read. */
  key: ByteString;
}

/** Index of the first non-digit at or after `p`. */
function skipDigits(s: ByteString, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    // Written so NaN (past the end) stops the loop too.
    if (!(c >= 0x30 && c <= 0x39)) return p;
    p++;
  }
}

class JsonError {
  constructor(readonly message: string) {}
}

enum Tok {
  Value,
  EndObject,
  EndArray,
}

class JsonParse {
  private readonly s: ByteString;
  private pos = 0;
  readonly args: Array<[ByteString, ByteString]> = [];
  private readonly maxArgs: number;
  private readonly maxDepth: number;
  limitHit = false;

  constructor(s: ByteString, limits: BodyLimits) {
    this.s = s;
    this.maxArgs = limits.maxArgs;
    this.maxDepth = limits.maxDepth;
  }

  private fail(message: string): never {
    throw new JsonError(message);
  }

  private skipWs(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  /** Name of the value about to be read inside `top` (v3's getCurrentKey plus the path). */
  private nameIn(top: Container | undefined): ByteString {
    if (top === undefined) return "json";
    if (top.isArray) return `${top.prefix}${top.counter}`;
    return top.prefix + (top.key === "" ? "empty-key" : top.key);
  }

  private add(name: ByteString, value: ByteString): void {
    if (this.args.length >= this.maxArgs) {
      this.limitHit = true;
      this.fail(TOO_MANY_ARGUMENTS);
    }
    this.args.push([name, value]);
  }

  parse(): void {
    const s = this.s;
    const stack: Container[] = [];
    this.skipWs();
    if (this.pos >= s.length) this.fail("premature EOF");
    for (;;) {
      const top = stack[stack.length - 1];
      // Read one value (or the end of the current container) at this.pos.
      this.skipWs();
      const c = s.charCodeAt(this.pos);
      let tok = Tok.Value;
      if (c === 0x7b || c === 0x5b) {
        // A container: its members are named under this value's name.
        const name = this.nameIn(top);
        if (stack.length + 1 > this.maxDepth) this.fail("JSON depth limit exceeded");
        this.pos++;
        const isArray = c === 0x5b;
        stack.push({ isArray, prefix: isArray ? `${name}.array_` : `${name}.`, counter: 0, key: "" });
        if (!isArray && !this.readKey(stack[stack.length - 1]!, true)) tok = Tok.EndObject;
        else if (isArray) {
          this.skipWs();
          if (s.charCodeAt(this.pos) === 0x5d) {
            this.pos++;
            tok = Tok.EndArray;
          } else {
            continue; // first element
          }
        } else {
          continue; // first member's value
        }
      } else if (c === 0x22) {
        this.pos++;
        this.add(this.nameIn(top), this.readString());
      } else if (c === 0x74) {
        this.literal("true");
        this.add(this.nameIn(top), "true");
      } else if (c === 0x66) {
        this.literal("false");
        this.add(this.nameIn(top), "false");
      } else if (c === 0x6e) {
        this.literal("null");
        this.add(this.nameIn(top), "");
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        this.add(this.nameIn(top), this.readNumber());
      } else if (Number.isNaN(c)) {
        this.fail("premature EOF");
      } else {
        this.fail(`invalid char in json text at offset ${this.pos}`);
      }

      // After a value or an empty container: close containers until one expects another item.
      if (tok !== Tok.Value) stack.pop();
      for (;;) {
        const cur = stack[stack.length - 1];
        if (cur === undefined) {
          this.skipWs();
          if (this.pos < s.length) this.fail(`trailing garbage at offset ${this.pos}`);
          return;
        }
        if (cur.isArray) cur.counter++;
        this.skipWs();
        const d = s.charCodeAt(this.pos);
        if (d === 0x2c) {
          this.pos++;
          if (!cur.isArray && !this.readKey(cur, false))
            this.fail(`expected object key at offset ${this.pos}`);
          break;
        }
        if ((cur.isArray && d === 0x5d) || (!cur.isArray && d === 0x7d)) {
          this.pos++;
          stack.pop();
          continue;
        }
        if (Number.isNaN(d)) this.fail("premature EOF");
        this.fail(
          `after ${cur.isArray ? "array element" : "key and value"}, expected ',' or '${cur.isArray ? "]" : "}"}' at offset ${this.pos}`,
        );
      }
    }
  }

  /** Reads `"key" :` into `obj`; false when `allowEnd` and the object closes instead. */
  private readKey(obj: Container, allowEnd: boolean): boolean {
    this.skipWs();
    const c = this.s.charCodeAt(this.pos);
    if (allowEnd && c === 0x7d) {
      this.pos++;
      return false;
    }
    if (c !== 0x22) {
      if (Number.isNaN(c)) this.fail("premature EOF");
      this.fail(`invalid object key (must be a string) at offset ${this.pos}`);
    }
    this.pos++;
    obj.key = this.readString();
    this.skipWs();
    if (this.s.charCodeAt(this.pos) !== 0x3a)
      this.fail(`object key and value must be separated by a colon at offset ${this.pos}`);
    this.pos++;
    return true;
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.pos)) this.fail(`invalid string in json text at offset ${this.pos}`);
    this.pos += word.length;
  }

  /** RFC 8259 number; returns its text as written. */
  private readNumber(): ByteString {
    const s = this.s;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 0x2d) p++;
    let c = s.charCodeAt(p);
    if (c === 0x30) p++;
    else if (c >= 0x31 && c <= 0x39) p = skipDigits(s, p);
    else this.fail(`malformed number, a digit is required after the minus sign at offset ${p}`);
    if (s.charCodeAt(p) === 0x2e) {
      const q = skipDigits(s, p + 1);
      if (q === p + 1)
        this.fail(`malformed number, a digit is required after the decimal point at offset ${q}`);
      p = q;
    }
    c = s.charCodeAt(p);
    if (c === 0x65 || c === 0x45) {
      p++;
      c = s.charCodeAt(p);
      if (c === 0x2b || c === 0x2d) p++;
      const q = skipDigits(s, p);
      if (q === p) this.fail(`malformed number, a digit is required after the exponent at offset ${q}`);
      p = q;
    }
    this.pos = p;
    return s.slice(start, p);
  }

  /** A string after its opening quote: unescaped, as UTF-8 bytes. */
  private readString(): ByteString {
    const s = this.s;
    let p = this.pos;
    let out = "";
    let run = p;
    for (;;) {
      if (p >= s.length) this.fail("premature EOF");
      const c = s.charCodeAt(p);
      if (c === 0x22) break;
      if (c < 0x20) this.fail(`invalid character inside string at offset ${p}`);
      if (c === 0x5c) {
        out += s.slice(run, p);
        const e = s.charCodeAt(p + 1);
        p += 2;
        switch (e) {
          case 0x22:
            out += '"';
            break;
          case 0x5c:
            out += "\\";
            break;
          case 0x2f:
            out += "/";
            break;
          case 0x62:
            out += "\b";
            break;
          case 0x66:
            out += "\f";
            break;
          case 0x6e:
            out += "\n";
            break;
          case 0x72:
            out += "\r";
            break;
          case 0x74:
            out += "\t";
            break;
          case 0x75: {
            let cp = this.hex4(p);
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
              const lo = s.charCodeAt(p) === 0x5c && s.charCodeAt(p + 1) === 0x75 ? this.hex4(p + 2) : -1;
              if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
              } else {
                cp = -1;
              }
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
              cp = -1;
            }
            // yajl writes '?' for a surrogate that is not part of a pair.
            out += cp === -1 ? "?" : utf8Bytes(cp);
            break;
          }
          default:
            this.fail(`inside a JSON string, a backslash must be followed by an escape at offset ${p - 1}`);
        }
        run = p;
        continue;
      }
      if (c >= 0x80) {
        const len = utf8SequenceLength(s, p, false);
        if (len === 0) this.fail(`invalid bytes in UTF8 string at offset ${p}`);
        p += len;
        continue;
      }
      p++;
    }
    this.pos = p + 1;
    return out + s.slice(run, p);
  }

  private hex4(p: number): number {
    const h = this.s.slice(p, p + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(h))
      this.fail(`invalid (non-hex) character occurs after '\\u' inside string at offset ${p}`);
    return Number.parseInt(h, 16);
  }
}

/** The JSON processor: ARGS_POST from an application/json body. */
export function processJson(body: ByteString, _contentType: ByteString, limits: BodyLimits): BodyParseResult {
  // v3 raises no error for an empty body (it checks the body size before setting REQBODY_ERROR).
  if (body.length === 0) return bodyResult({});
  const p = new JsonParse(body, limits);
  try {
    p.parse();
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    const error = p.limitHit ? TOO_MANY_ARGUMENTS : `JSON parsing error: ${err.message}`;
    return bodyResult({ args: p.args, error });
  }
  return bodyResult({ args: p.args });
}

registerBodyProcessor("JSON", processJson);
