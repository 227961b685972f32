/**
 * SecLang rule targets: the list of variable and collection names ModSecurity v3 knows, and the
 * parser for a target list (`ARGS|!REQUEST_HEADERS:Referer|&TX:foo|ARGS:/^id_/|XML:/*`).
 *
 * The names are those of libmodsecurity's scanner (src/parser/seclang-scanner.ll, VARIABLE_* and
 * RUN_TIME_VAR_*); the engine uses the same Set to decide what it must provide.
 */
import { WafError } from "../errors.js";
import type { SourceLocation, VariableRef } from "../types.js";
import { closest } from "./suggest.js";

/** Every variable and collection name of ModSecurity v3, upper-case. */
export const SECLANG_VARIABLES: ReadonlySet<string> = new Set([
  "ARGS",
  "ARGS_COMBINED_SIZE",
  "ARGS_GET",
  "ARGS_GET_NAMES",
  "ARGS_NAMES",
  "ARGS_POST",
  "ARGS_POST_NAMES",
  "AUTH_TYPE",
  "DURATION",
  "ENV",
  "FILES",
  "FILES_COMBINED_SIZE",
  "FILES_NAMES",
  "FILES_SIZES",
  "FILES_TMPNAMES",
  "FILES_TMP_CONTENT",
  "FULL_REQUEST",
  "FULL_REQUEST_LENGTH",
  "GEO",
  "GLOBAL",
  "HIGHEST_SEVERITY",
  "INBOUND_DATA_ERROR",
  "IP",
  "MATCHED_VAR",
  "MATCHED_VARS",
  "MATCHED_VARS_NAMES",
  "MATCHED_VAR_NAME",
  "MODSEC_BUILD",
  "MSC_PCRE_LIMITS_EXCEEDED",
  "MULTIPART_BOUNDARY_QUOTED",
  "MULTIPART_BOUNDARY_WHITESPACE",
  "MULTIPART_CRLF_LF_LINES",
  "MULTIPART_DATA_AFTER",
  "MULTIPART_DATA_BEFORE",
  "MULTIPART_FILENAME",
  "MULTIPART_FILE_LIMIT_EXCEEDED",
  "MULTIPART_HEADER_FOLDING",
  "MULTIPART_INVALID_HEADER_FOLDING",
  "MULTIPART_INVALID_PART",
  "MULTIPART_INVALID_QUOTING",
  "MULTIPART_LF_LINE",
  "MULTIPART_MISSING_SEMICOLON",
  "MULTIPART_NAME",
  "MULTIPART_PART_HEADERS",
  "MULTIPART_SEMICOLON_MISSING",
  "MULTIPART_STRICT_ERROR",
  "MULTIPART_UNMATCHED_BOUNDARY",
  "OUTBOUND_DATA_ERROR",
  "PATH_INFO",
  "QUERY_STRING",
  "REMOTE_ADDR",
  "REMOTE_HOST",
  "REMOTE_PORT",
  "REMOTE_USER",
  "REQBODY_ERROR",
  "REQBODY_ERROR_MSG",
  "REQBODY_PROCESSOR",
  "REQBODY_PROCESSOR_ERROR",
  "REQBODY_PROCESSOR_ERROR_MSG",
  "REQUEST_BASENAME",
  "REQUEST_BODY",
  "REQUEST_BODY_LENGTH",
  "REQUEST_COOKIES",
  "REQUEST_COOKIES_NAMES",
  "REQUEST_FILENAME",
  "REQUEST_HEADERS",
  "REQUEST_HEADERS_NAMES",
  "REQUEST_LINE",
  "REQUEST_METHOD",
  "REQUEST_PROTOCOL",
  "REQUEST_URI",
  "REQUEST_URI_RAW",
  "RESOURCE",
  "RESPONSE_BODY",
  "RESPONSE_CONTENT_LENGTH",
  "RESPONSE_CONTENT_TYPE",
  "RESPONSE_HEADERS",
  "RESPONSE_HEADERS_NAMES",
  "RESPONSE_PROTOCOL",
  "RESPONSE_STATUS",
  "RULE",
  "SERVER_ADDR",
  "SERVER_NAME",
  "SERVER_PORT",
  "SESSION",
  "SESSIONID",
  "STATUS",
  "STATUS_LINE",
  "TIME",
  "TIME_DAY",
  "TIME_EPOCH",
  "TIME_HOUR",
  "TIME_MIN",
  "TIME_MON",
  "TIME_SEC",
  "TIME_WDAY",
  "TIME_YEAR",
  "TX",
  "UNIQUE_ID",
  "URLENCODED_ERROR",
  "USER",
  "USERID",
  "WEBAPPID",
  "WEBSERVER_ERROR_LOG",
  "XML",
]);

// Char codes the scanner looks at.
const TAB = 9;
const SPACE = 32;
const BANG = 33;
const AMP = 38;
const QUOTE = 39;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const BACKSLASH = 92;
const PIPE = 124;

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

function syntax(message: string, loc: SourceLocation, hint: string): WafError {
  return new WafError("WAF_PARSE", message, loc, { hint });
}

/**
 * Parses a target list as written after SecRule (quotes of the whole argument already removed).
 *
 * Selectors follow libmodsecurity's scanner: `:` or `.` after a collection name starts one; a
 * selector quoted with ' is taken whole; `/.../` is a regex whose text may hold `|` and `:` and
 * ends at a `/` that is not escaped and stands before `|` or the end; XML's selector is an XPath.
 */
export function parseVariables(text: string, loc: SourceLocation): VariableRef[] {
  const out: VariableRef[] = [];
  const n = text.length;
  let i = 0;
  while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  let end = n;
  while (end > i && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
  if (i === end) {
    throw syntax(
      "empty variable list",
      loc,
      "name at least one variable, e.g. ARGS or REQUEST_HEADERS:User-Agent",
    );
  }
  for (;;) {
    let exclude = false;
    let count = false;
    const c0 = text.charCodeAt(i);
    if (c0 === BANG) {
      exclude = true;
      i++;
    } else if (c0 === AMP) {
      count = true;
      i++;
    }
    const nameStart = i;
    while (i < end && isNameChar(text.charCodeAt(i))) i++;
    if (i === nameStart) {
      const got = i < end ? `"${text[i]}"` : "end of text";
      throw syntax(
        `expected a variable name at column ${i + 1} of "${text}", got ${got}`,
        loc,
        "variables are written NAME, NAME:key, !NAME:key or &NAME, separated by |",
      );
    }
    const collection = text.slice(nameStart, i).toUpperCase();
    if (!SECLANG_VARIABLES.has(collection)) {
      const near = closest(collection, SECLANG_VARIABLES);
      throw new WafError("WAF_UNKNOWN_VARIABLE", `unknown variable ${text.slice(nameStart, i)}`, loc, {
        hint:
          near !== undefined
            ? `did you mean ${near}?`
            : "use a ModSecurity v3 variable (ARGS, REQUEST_HEADERS, TX, ...) as listed in the reference manual",
      });
    }
    let key: string | undefined;
    let keyRegex: string | undefined;
    const sep = text.charCodeAt(i);
    if (i < end && (sep === COLON || sep === DOT)) {
      i++;
      const s = text.charCodeAt(i);
      if (i < end && s === QUOTE) {
        // 'quoted selector': taken whole, \' stands for a quote.
        let j = i + 1;
        let value = "";
        let from = j;
        for (; j < end; j++) {
          const ch = text.charCodeAt(j);
          if (ch === BACKSLASH && text.charCodeAt(j + 1) === QUOTE) {
            value += `${text.slice(from, j)}'`;
            j++;
            from = j + 1;
          } else if (ch === QUOTE) break;
        }
        if (j >= end) {
          throw syntax(
            `unterminated ' quote in selector of ${collection}`,
            loc,
            "close the selector's quote",
          );
        }
        value += text.slice(from, j);
        i = j + 1;
        if (
          collection !== "XML" &&
          value.length >= 2 &&
          value[0] === "/" &&
          value[value.length - 1] === "/"
        ) {
          keyRegex = value.slice(1, -1);
        } else key = value;
      } else if (collection === "XML") {
        const from = i;
        while (i < end && text.charCodeAt(i) !== PIPE) i++;
        key = text.slice(from, i);
      } else if (i < end && s === SLASH) {
        const from = i + 1;
        let j = from;
        let close = -1;
        for (; j < end; j++) {
          const ch = text.charCodeAt(j);
          if (ch === BACKSLASH) {
            j++;
            continue;
          }
          if (ch === SLASH && (j + 1 === end || text.charCodeAt(j + 1) === PIPE)) {
            close = j;
            break;
          }
        }
        if (close < 0) {
          throw syntax(
            `unterminated regex selector of ${collection} in "${text}"`,
            loc,
            "end the regex with / before the next | (ARGS:/^id_/|ARGS_NAMES)",
          );
        }
        keyRegex = text.slice(from, close);
        i = close + 1;
      } else {
        const from = i;
        while (i < end && text.charCodeAt(i) !== PIPE) i++;
        key = text.slice(from, i);
      }
      if (key === "" || keyRegex === "") {
        throw syntax(
          `empty selector after ${collection}:`,
          loc,
          `write ${collection} alone, or a key after the colon`,
        );
      }
    }
    out.push(makeRef(collection, key, keyRegex, count, exclude));
    if (i >= end) break;
    if (text.charCodeAt(i) !== PIPE) {
      throw syntax(
        `unexpected "${text[i]}" after variable ${collection} in "${text}"`,
        loc,
        "separate variables with | and write no spaces between them",
      );
    }
    i++;
    if (i >= end) throw syntax(`variable list "${text}" ends with |`, loc, "remove the trailing |");
  }
  return out;
}

function makeRef(
  collection: string,
  key: string | undefined,
  keyRegex: string | undefined,
  count: boolean,
  exclude: boolean,
): VariableRef {
  // Optional fields stay absent rather than undefined so deep equality with literals holds.
  if (key !== undefined) return { collection, key, count, exclude };
  if (keyRegex !== undefined) return { collection, keyRegex, count, exclude };
  return { collection, count, exclude };
}
