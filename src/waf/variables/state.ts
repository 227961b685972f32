/**
 * Per-transaction data the variables read: the request as received, what the body processor
 * found, the response, and the collections rules write (TX, IP, ...). Everything derived from the
 * request is built on first use, so a transaction whose rules never look at cookies never parses
 * them.
 */
import type { BodyParseResult, ByteString, UploadedFile } from "../types.js";
import { Collection, type VarEntry } from "./collection.js";
import {
  type ParsedTarget,
  parseCookies,
  parseQuery,
  parseRequestTarget,
  percentDecode,
  processorForContentType,
} from "./request-parsing.js";

/** The request as the gateway received it (see Transaction in src/waf/engine/transaction.ts). */
export interface RequestInfo {
  /** Unique transaction id (UNIQUE_ID). */
  readonly id: string;
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly serverAddr?: string;
  readonly serverPort: number;
  readonly method: ByteString;
  /** The request target exactly as sent: `/a?b=1`, `http://host/a`, `*`. */
  readonly uri: ByteString;
  /** `HTTP/1.1`. */
  readonly protocol: ByteString;
  /** Header fields in order, duplicates kept, as byte strings. */
  readonly headers: ReadonlyArray<readonly [ByteString, ByteString]>;
}

/** Fixed names of the persistent collections ModSecurity knows; here they live for one transaction. */
export const PERSISTENT_COLLECTIONS = ["IP", "SESSION", "USER", "GLOBAL", "RESOURCE"] as const;

export class TxData {
  readonly req: RequestInfo;
  readonly argumentSeparator: string;
  /** Milliseconds since the epoch, from the clock the rule set was given. */
  readonly startedAt: number;
  readonly now: () => number;

  readonly tx = new Collection("TX");
  readonly env: Collection;
  /** IP, SESSION, ... created by initcol (and on first setvar into them). */
  readonly persistent = new Map<string, Collection>();
  /** RULE.* of the rule being evaluated (macros %{rule.id}, %{rule.msg}). */
  readonly rule = new Collection("RULE");

  // --- request, parsed lazily ---------------------------------------------------------------
  private target: ParsedTarget | undefined;
  private filename: ByteString | undefined;
  private headersCol: Collection | undefined;
  private headerNamesCol: Collection | undefined;
  private cookiesCol: Collection | undefined;
  private cookieNamesCol: Collection | undefined;
  private argsGetCol: Collection | undefined;
  private argsGetNamesCol: Collection | undefined;

  // --- request body (phase 2) ---------------------------------------------------------------
  readonly argsPost = new Collection("ARGS_POST");
  private argsPostNamesCol: Collection | undefined;
  requestBody: ByteString | undefined;
  requestBodyLength = 0;
  /** Set by ctl:requestBodyProcessor, or when the body was parsed. */
  bodyProcessor: string | undefined;
  bodyResult: BodyParseResult | undefined;
  bodyError: string | undefined;
  private filesCols: Map<string, Collection> | undefined;
  private bodyVarsCols: Map<string, Collection> | undefined;

  // --- response -------------------------------------------------------------------------------
  responseStatus: number | undefined;
  responseProtocol: ByteString | undefined;
  responseHeaders: Collection | undefined;
  private responseHeaderNamesCol: Collection | undefined;
  responseBody: ByteString | undefined;

  // --- matches --------------------------------------------------------------------------------
  /** Last value a rule matched and its name (MATCHED_VAR, MATCHED_VAR_NAME); kept across rules. */
  matchedVarValue: ByteString | undefined;
  matchedVarName: string | undefined;
  /** Values matched by the rule (chain) being evaluated; reset before each rule. */
  readonly matchedVars = new Collection("MATCHED_VARS");
  readonly matchedVarsNames = new Collection("MATCHED_VARS_NAMES");
  /** Lowest severity number seen (most severe); 255 when none, as v2 reports it. */
  highestSeverity = 255;

  /** Scalar entries built this phase, by variable slot (reset when data change). */
  scalarCache: Array<VarEntry | undefined> = [];

  constructor(req: RequestInfo, argumentSeparator: string, now: () => number, env: Collection) {
    this.req = req;
    this.argumentSeparator = argumentSeparator;
    this.now = now;
    this.startedAt = now();
    this.env = env;
  }

  get parsedTarget(): ParsedTarget {
    if (this.target === undefined) this.target = parseRequestTarget(this.req.uri);
    return this.target;
  }

  /** URL-decoded path without query (v3 decodes %XX in REQUEST_FILENAME; `+` stays). */
  get requestFilename(): ByteString {
    if (this.filename === undefined) this.filename = percentDecode(this.parsedTarget.path, false);
    return this.filename;
  }

  get requestHeaders(): Collection {
    if (this.headersCol === undefined) {
      this.headersCol = new Collection("REQUEST_HEADERS");
      for (const [k, v] of this.req.headers) this.headersCol.add(k, v);
    }
    return this.headersCol;
  }

  get requestHeaderNames(): Collection {
    if (this.headerNamesCol === undefined)
      this.headerNamesCol = namesOf("REQUEST_HEADERS_NAMES", this.requestHeaders);
    return this.headerNamesCol;
  }

  get cookies(): Collection {
    if (this.cookiesCol === undefined) {
      this.cookiesCol = new Collection("REQUEST_COOKIES");
      for (const e of this.requestHeaders.get("cookie")) {
        for (const [k, v] of parseCookies(e.value)) this.cookiesCol.add(k, v);
      }
    }
    return this.cookiesCol;
  }

  get cookieNames(): Collection {
    if (this.cookieNamesCol === undefined)
      this.cookieNamesCol = namesOf("REQUEST_COOKIES_NAMES", this.cookies);
    return this.cookieNamesCol;
  }

  get argsGet(): Collection {
    if (this.argsGetCol === undefined) {
      this.argsGetCol = new Collection("ARGS_GET");
      for (const [k, v] of parseQuery(this.parsedTarget.query, this.argumentSeparator))
        this.argsGetCol.add(k, v);
    }
    return this.argsGetCol;
  }

  get argsGetNames(): Collection {
    if (this.argsGetNamesCol === undefined) this.argsGetNamesCol = namesOf("ARGS_GET_NAMES", this.argsGet);
    return this.argsGetNamesCol;
  }

  get argsPostNames(): Collection {
    if (this.argsPostNamesCol === undefined)
      this.argsPostNamesCol = namesOf("ARGS_POST_NAMES", this.argsPost);
    return this.argsPostNamesCol;
  }

  /** ARGS as two collections (query first, then body), named ARGS in logs as ModSecurity does. */
  private readonly argsView = (() => {
    const get = new Collection("ARGS");
    const post = new Collection("ARGS");
    return { get, post, both: [get, post] as readonly Collection[], builtGet: false, builtPost: -1 };
  })();

  /** ARGS: the GET and POST arguments, re-labelled `ARGS:name`. */
  args(): readonly Collection[] {
    const v = this.argsView;
    if (!v.builtGet) {
      for (const e of this.argsGet.entries) v.get.add(e.key, e.value);
      v.builtGet = true;
    }
    if (v.builtPost !== this.argsPost.size) {
      v.post.clear();
      for (const e of this.argsPost.entries) v.post.add(e.key, e.value);
      v.builtPost = this.argsPost.size;
    }
    return v.both;
  }

  private argsNamesCols: { both: readonly Collection[]; postSize: number } | undefined;

  argsNames(): readonly Collection[] {
    if (this.argsNamesCols === undefined || this.argsNamesCols.postSize !== this.argsPost.size) {
      this.argsNamesCols = {
        both: [namesOf("ARGS_NAMES", this.argsGet), namesOf("ARGS_NAMES", this.argsPost)],
        postSize: this.argsPost.size,
      };
    }
    return this.argsNamesCols.both;
  }

  /**
   * Forgets the transformed values kept on request entries (VarEntry.cache). Called once the
   * request phases are done: the transaction then waits for the upstream, and what it keeps alive
   * meanwhile is what the garbage collector copies; a later rule that needs them recomputes them.
   */
  dropRequestCaches(): void {
    const cols = [
      this.headersCol,
      this.headerNamesCol,
      this.cookiesCol,
      this.cookieNamesCol,
      this.argsGetCol,
      this.argsGetNamesCol,
      this.argsPost,
      this.argsPostNamesCol,
      this.argsView.get,
      this.argsView.post,
      ...(this.argsNamesCols?.both ?? []),
      ...(this.filesCols?.values() ?? []),
      ...(this.bodyVarsCols?.values() ?? []),
    ];
    for (const c of cols) if (c !== undefined) for (const e of c.entries) e.cache = undefined;
    this.scalarCache = [];
  }

  /** Records what the body processor found (phase 2). */
  setBodyResult(processor: string, result: BodyParseResult): void {
    this.bodyProcessor = processor;
    this.bodyResult = result;
    this.argsPost.clear();
    this.argsPostNamesCol = undefined;
    for (const [k, v] of result.args) this.argsPost.add(k, v);
    if (result.error !== undefined) this.bodyError = result.error;
    this.filesCols = undefined;
    this.bodyVarsCols = undefined;
    this.scalarCache = [];
  }

  /** REQBODY_PROCESSOR: the ctl choice, else what Content-Type selects, else "". */
  get requestBodyProcessor(): string {
    if (this.bodyProcessor !== undefined) return this.bodyProcessor;
    const ct = this.requestHeaders.first("content-type")?.value;
    return (ct === undefined ? undefined : processorForContentType(ct)) ?? "";
  }

  get files(): readonly UploadedFile[] {
    return this.bodyResult?.files ?? [];
  }

  /** FILES, FILES_NAMES, FILES_SIZES built from the uploaded files. */
  filesCollection(name: "FILES" | "FILES_NAMES" | "FILES_SIZES"): Collection {
    if (this.filesCols === undefined) {
      const files = new Collection("FILES");
      const names = new Collection("FILES_NAMES");
      const sizes = new Collection("FILES_SIZES");
      for (const f of this.files) {
        files.add(f.name, f.filename);
        names.add(f.name, f.name);
        sizes.add(f.name, String(f.size));
      }
      this.filesCols = new Map([
        ["FILES", files],
        ["FILES_NAMES", names],
        ["FILES_SIZES", sizes],
      ]);
    }
    return this.filesCols.get(name)!;
  }

  /** A variable the body processor defined (MULTIPART_STRICT_ERROR, MULTIPART_PART_HEADERS). */
  bodyVariable(name: string): Collection | undefined {
    const vars = this.bodyResult?.variables;
    if (vars === undefined) return undefined;
    if (this.bodyVarsCols === undefined) this.bodyVarsCols = new Map();
    let col = this.bodyVarsCols.get(name);
    if (col === undefined) {
      const v = vars.get(name);
      if (v === undefined) return undefined;
      col = new Collection(name);
      if (typeof v === "string") col.add("", v);
      else for (const [k, val] of v) col.add(k, val);
      this.bodyVarsCols.set(name, col);
    }
    return col;
  }

  get responseHeaderNames(): Collection {
    if (this.responseHeaderNamesCol === undefined) {
      this.responseHeaderNamesCol = namesOf(
        "RESPONSE_HEADERS_NAMES",
        this.responseHeaders ?? new Collection(""),
      );
    }
    return this.responseHeaderNamesCol;
  }

  setResponse(
    status: number,
    protocol: ByteString,
    headers: ReadonlyArray<readonly [ByteString, ByteString]>,
  ): void {
    this.responseStatus = status;
    this.responseProtocol = protocol;
    this.responseHeaders = new Collection("RESPONSE_HEADERS");
    for (const [k, v] of headers) this.responseHeaders.add(k, v);
    this.responseHeaderNamesCol = undefined;
    this.scalarCache = [];
  }

  /** IP, SESSION, ...: created empty on first use, as initcol without a store does. */
  persistentCollection(name: string): Collection {
    let c = this.persistent.get(name);
    if (c === undefined) {
      c = new Collection(name);
      this.persistent.set(name, c);
    }
    return c;
  }

  /** The collection setvar writes to, by lower- or upper-case name; undefined if not writable. */
  writable(name: string): Collection | undefined {
    if (name === "TX") return this.tx; // setvar passes upper case; TX is nearly every call
    const up = name.toUpperCase();
    if (up === "TX") return this.tx;
    if ((PERSISTENT_COLLECTIONS as readonly string[]).includes(up)) return this.persistentCollection(up);
    return undefined;
  }

  /** Sets MATCHED_VAR/MATCHED_VAR_NAME and appends to MATCHED_VARS(_NAMES). */
  recordMatch(from: VarEntry, value: ByteString): void {
    this.matchedVarValue = value;
    this.matchedVarName = from.name;
    this.matchedVars.add(from.name, value);
    this.matchedVarsNames.add(from.name, from.name);
  }
}

function namesOf(variable: string, from: Collection): Collection {
  const c = new Collection(variable);
  for (const e of from.entries) c.add(e.key, e.key);
  return c;
}
