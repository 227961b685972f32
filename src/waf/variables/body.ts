/** Request-body variables: REQUEST_BODY, REQBODY_*, FILES*, MULTIPART_*, XML. */
import type { BodyParseResult } from "../types.js";
import { Collection, NO_COLLECTIONS } from "./collection.js";
import { defineScalars, type VariableDefinition } from "./registry.js";
import type { TxData } from "./state.js";

/** Names a multipart processor defines; absent ones read "0" once a multipart body was parsed. */
const MULTIPART_FLAGS = [
  "MULTIPART_BOUNDARY_QUOTED",
  "MULTIPART_BOUNDARY_WHITESPACE",
  "MULTIPART_DATA_AFTER",
  "MULTIPART_DATA_BEFORE",
  "MULTIPART_FILE_LIMIT_EXCEEDED",
  "MULTIPART_HEADER_FOLDING",
  "MULTIPART_INVALID_HEADER_FOLDING",
  "MULTIPART_INVALID_PART",
  "MULTIPART_INVALID_QUOTING",
  "MULTIPART_LF_LINE",
  "MULTIPART_MISSING_SEMICOLON",
  "MULTIPART_CRLF_LF_LINES",
  "MULTIPART_STRICT_ERROR",
  "MULTIPART_UNMATCHED_BOUNDARY",
  "MULTIPART_FILENAME",
  "MULTIPART_NAME",
] as const;

function bodyFlag(name: string): (d: TxData) => string | undefined {
  return (d) => {
    const c = d.bodyVariable(name);
    if (c !== undefined) return c.entries[0]?.value;
    return d.bodyProcessor === "MULTIPART" ? "0" : undefined;
  };
}

const flags: Record<string, (d: TxData) => string | undefined> = {};
for (const f of MULTIPART_FLAGS) flags[f] = bodyFlag(f);

const EMPTY = new Collection("");

export const bodyVariables: VariableDefinition[] = [
  ...defineScalars({
    REQUEST_BODY: (d) => d.requestBody,
    REQUEST_BODY_LENGTH: (d) => String(d.requestBodyLength),
    /** "" when no processor applies, so CRS 901340 (`!@rx URLENCODED|...`) sees "no processor". */
    REQBODY_PROCESSOR: (d) => d.requestBodyProcessor,
    REQBODY_ERROR: (d) => (d.bodyError === undefined ? "0" : "1"),
    REQBODY_ERROR_MSG: (d) => d.bodyError ?? "",
    REQBODY_PROCESSOR_ERROR: (d) => (d.bodyError === undefined ? "0" : "1"),
    REQBODY_PROCESSOR_ERROR_MSG: (d) => d.bodyError ?? "",
    FILES_COMBINED_SIZE: (d) => String(d.files.reduce((n, f) => n + f.size, 0)),
    ...flags,
  }),
  { name: "FILES", collections: (d) => d.filesCollection("FILES").asList, phaseStable: true },
  { name: "FILES_NAMES", collections: (d) => d.filesCollection("FILES_NAMES").asList, phaseStable: true },
  { name: "FILES_SIZES", collections: (d) => d.filesCollection("FILES_SIZES").asList, phaseStable: true },
  /** Temporary files are never written to disk here: the collection exists and is empty. */
  { name: "FILES_TMPNAMES", collections: () => EMPTY.asList, phaseStable: true },
  { name: "FILES_TMP_CONTENT", collections: () => EMPTY.asList, phaseStable: true },
  {
    name: "MULTIPART_PART_HEADERS",
    phaseStable: true,
    collections: (d) => {
      const c = d.bodyVariable("MULTIPART_PART_HEADERS");
      return c === undefined ? NO_COLLECTIONS : c.asList;
    },
  },
  {
    // Every XPath selects the text of all elements: CRS only uses `XML:/*` (see SECLANG-USAGE).
    name: "XML",
    phaseStable: true,
    collections: (d) => {
      const result = d.bodyResult;
      if (result?.xmlText === undefined) return NO_COLLECTIONS;
      let c = xmlCache.get(result);
      if (c === undefined) {
        c = new Collection("XML");
        for (const t of result.xmlText) c.add("", t);
        xmlCache.set(result, c);
      }
      return c.asList;
    },
  },
];

/** Keyed by the parse result, so a body parsed again gets a fresh collection. */
const xmlCache = new WeakMap<BodyParseResult, Collection>();
const xmlAttrCache = new WeakMap<BodyParseResult, Collection>();

/** Name under which the XML processor lists attributes (src/waf/bodies/xml.ts). */
const XML_ATTRIBUTES = "XML://@*";

/**
 * `XML://@*` and other attribute XPaths: every attribute value, in document order. The compiler
 * picks this definition for an XML selector that contains `@` (CRS uses `XML:/*` and `XML://@*`).
 */
export const xmlAttributesVariable: VariableDefinition = {
  name: "XML",
  phaseStable: true,
  collections: (d) => {
    const result = d.bodyResult;
    const attrs = result?.variables.get(XML_ATTRIBUTES);
    if (result === undefined || attrs === undefined) return NO_COLLECTIONS;
    let c = xmlAttrCache.get(result);
    if (c === undefined) {
      c = new Collection("XML");
      if (typeof attrs === "string") c.add("", attrs);
      else for (const [, v] of attrs) c.add("", v);
      xmlAttrCache.set(result, c);
    }
    return c.asList;
  },
};
