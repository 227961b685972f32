/**
 * Contracts between the parts of the WAF engine (parser, operators, transforms, body processors,
 * engine). The engine is pure: no sockets, no node:http types, no clock it does not get passed.
 *
 * Values are byte strings: a JS string whose every char code is 0–255 and stands for one byte of the
 * raw input (what `Buffer.toString("latin1")` gives). ModSecurity and CRS reason in bytes (URL
 * decoding yields bytes, @validateByteRange and @validateUtf8Encoding test bytes, CRS patterns are
 * written for PCRE without UTF mode), so keeping bytes avoids a whole class of decoding mismatches.
 */

/** One byte per char code, 0–255. */
export type ByteString = string;

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

// ---------------------------------------------------------------------------------------------
// Transformations (src/waf/transforms/): t:lowercase, t:urlDecodeUni, ...

/** A transformation maps a byte string to a byte string. Pure; never throws on any input. */
export type Transform = (input: ByteString) => ByteString;

// ---------------------------------------------------------------------------------------------
// Macros (%{tx.foo}, %{MATCHED_VAR}) in operator parameters and action arguments.

export interface MacroResolver {
  /** Value of COLLECTION or COLLECTION.KEY (names case-insensitive), undefined when absent. */
  resolve(collection: string, key: string | undefined): ByteString | undefined;
}

export interface Macro {
  /** The text as written in the rule. */
  readonly source: string;
  /** True when the text holds no %{...}: expand() then always returns `source`. */
  readonly constant: boolean;
  expand(resolver: MacroResolver): ByteString;
}

// ---------------------------------------------------------------------------------------------
// Operators (src/waf/operators/): @rx, @pm, @detectSQLi, ...

export interface OperatorInit {
  /** The parameter after the operator name, macros pre-split. */
  readonly param: Macro;
  /** Reads a data file (for @pmFromFile, @ipMatchFromFile) relative to the rule's file. */
  readDataFile(path: string): string;
  /** Where the rule stands, for error messages. */
  readonly loc: SourceLocation;
}

export interface OperatorContext {
  readonly macros: MacroResolver;
  /**
   * Present when the rule has the `capture` action: the operator writes what it captured here
   * (index 0 = whole match, 1–9 = groups), as ModSecurity fills TX.0–TX.9.
   */
  readonly captures: ByteString[] | undefined;
  /**
   * Called when the operator examined only part of the input (a size cap it enforces for time's
   * sake); the transaction flags it. `detail` says what was cut.
   */
  readonly partialMatch?: (detail: string) => void;
  /**
   * Longest input a pattern without a linear-time fallback may see (operators/rx.ts); the
   * transaction lifts it for response phases. NONLINEAR_INPUT_CAP when absent.
   */
  readonly nonlinearInputCap?: number;
}

export interface Operator {
  /** True when the input matches (before negation, which the engine applies). */
  evaluate(input: ByteString, ctx: OperatorContext): boolean;
}

/** Compiles an operator once at rule load. Throws WafError (code WAF_OPERATOR_PARAM) on a bad param. */
export type OperatorFactory = (init: OperatorInit) => Operator;

// ---------------------------------------------------------------------------------------------
// SecLang AST (src/waf/seclang/). The parser knows the syntax; the engine gives it meaning.

export interface VariableRef {
  /** Upper-case collection or variable name: ARGS, REQUEST_HEADERS, TX, XML, REQUEST_URI, ... */
  readonly collection: string;
  /** `ARGS:id` -> "id"; for XML the XPath expression (`XML:/*` -> "/*"). */
  readonly key?: string;
  /** `ARGS:/^id_/` -> "^id_" (the regex source, slashes removed). */
  readonly keyRegex?: string;
  /** `&ARGS`: the number of matching variables instead of their values. */
  readonly count: boolean;
  /** `!ARGS:foo`: remove matching variables from the rule's targets. */
  readonly exclude: boolean;
}

export interface OperatorRef {
  /** Without the @; `SecRule ARGS "foo"` (no @) is `rx`. */
  readonly name: string;
  readonly negated: boolean;
  /** Raw parameter text, quotes and escapes already resolved as ModSecurity does. */
  readonly param: string;
}

export interface ActionNode {
  /** Lower-cased action name: id, phase, t, setvar, ctl, ... */
  readonly name: string;
  /** Text after the colon, quotes removed; undefined for flag actions (`chain`, `block`). */
  readonly param?: string;
}

export interface RuleNode {
  /** SecRule, or SecAction (no variables, operator `unconditionalMatch`). */
  readonly directive: "SecRule" | "SecAction";
  readonly variables: readonly VariableRef[];
  readonly operator: OperatorRef;
  readonly actions: readonly ActionNode[];
  readonly loc: SourceLocation;
}

export interface DirectiveNode {
  /** Directive name as written in the reference manual (SecRuleEngine, SecMarker, ...). */
  readonly name: string;
  /** Arguments, quotes removed. */
  readonly args: readonly string[];
  readonly loc: SourceLocation;
}

/** A rule file, Includes resolved, in order. */
export type Statement =
  | { readonly type: "rule"; readonly rule: RuleNode }
  | { readonly type: "directive"; readonly directive: DirectiveNode };

// ---------------------------------------------------------------------------------------------
// Request body processors (src/waf/bodies/): URLENCODED, MULTIPART, JSON, XML.

export interface BodyLimits {
  /** Most arguments kept; beyond it the processor stops and flags the error. */
  readonly maxArgs: number;
  /** JSON nesting depth limit. */
  readonly maxDepth: number;
}

export interface UploadedFile {
  /** Form field name. */
  readonly name: ByteString;
  /** Client-side file name. */
  readonly filename: ByteString;
  readonly size: number;
  readonly contentType: ByteString | undefined;
}

export interface BodyParseResult {
  /** Arguments in order of appearance; names as ModSecurity names them (JSON: `json.a.b`). */
  readonly args: ReadonlyArray<readonly [ByteString, ByteString]>;
  readonly files: readonly UploadedFile[];
  /** Set when the body could not be processed: REQBODY_ERROR = 1, REQBODY_ERROR_MSG = this. */
  readonly error: string | undefined;
  /**
   * Extra variables this processor defines (MULTIPART_STRICT_ERROR, MULTIPART_UNMATCHED_BOUNDARY,
   * MULTIPART_BOUNDARY_QUOTED, ... as "0"/"1"; MULTIPART_PART_HEADERS as a list), upper-case names.
   */
  readonly variables: ReadonlyMap<string, ByteString | ReadonlyArray<readonly [ByteString, ByteString]>>;
  /** XML only: the text content of every element, in document order (what `XML:/*` yields). */
  readonly xmlText?: readonly ByteString[];
}

export type BodyProcessor = (
  body: ByteString,
  contentType: ByteString,
  limits: BodyLimits,
) => BodyParseResult;
