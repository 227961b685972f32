/**
 * Test support for the engine: tiny operator and transform registries (so engine tests do not
 * depend on the real ones), SecLang text through the real parser, and a request builder.
 */
import {
  type CompileDeps,
  compileRuleSet,
  type RuleSet,
  type Transaction,
} from "../../../src/waf/engine/index.js";
import { parseActions } from "../../../src/waf/seclang/actions.js";
import { parseSecLang } from "../../../src/waf/seclang/parser.js";
import { parseVariables } from "../../../src/waf/seclang/variables.js";
import type { BodyProcessor, OperatorFactory, Statement, Transform } from "../../../src/waf/types.js";
import type { RequestInfo } from "../../../src/waf/variables/index.js";

const rx: OperatorFactory = ({ param }) => {
  const re = new RegExp(param.source, "s");
  return {
    evaluate(input, ctx) {
      const m = re.exec(input);
      if (m === null) return false;
      if (ctx.captures !== undefined) for (const g of m.slice(0, 10)) ctx.captures.push(g ?? "");
      return true;
    },
  };
};

const numeric =
  (cmp: (a: number, b: number) => boolean): OperatorFactory =>
  ({ param }) => ({
    evaluate: (input, ctx) =>
      cmp(Number.parseInt(input, 10) || 0, Number.parseInt(param.expand(ctx.macros), 10) || 0),
  });

export const operators: Record<string, OperatorFactory> = {
  rx,
  eq: numeric((a, b) => a === b),
  ge: numeric((a, b) => a >= b),
  lt: numeric((a, b) => a < b),
  streq: ({ param }) => ({ evaluate: (input, ctx) => input === param.expand(ctx.macros) }),
  contains: ({ param }) => ({ evaluate: (input, ctx) => input.includes(param.expand(ctx.macros)) }),
};

export let transformCalls = 0;
export const transforms: Record<string, Transform> = {
  lowercase: (s) => {
    transformCalls++;
    return s.toLowerCase();
  },
  trim: (s) => {
    transformCalls++;
    return s.trim();
  },
  urldecode: (s) => {
    transformCalls++;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  },
};

export function resetTransformCalls(): void {
  transformCalls = 0;
}

export function deps(extra: Partial<CompileDeps> = {}): CompileDeps {
  return {
    operator: (name) => operators[name.toLowerCase()],
    transform: (name) => transforms[name.toLowerCase()],
    bodyProcessor: (): BodyProcessor | undefined => undefined,
    readDataFile: () => "",
    parseVariables,
    parseActions,
    now: () => 1_700_000_000_000,
    ...extra,
  };
}

export function statements(text: string, file = "test.conf"): Statement[] {
  return parseSecLang(text, file);
}

export function load(text: string, extra: Partial<CompileDeps> = {}): RuleSet {
  return compileRuleSet(statements(text), deps(extra));
}

export function request(over: Partial<RequestInfo> = {}): RequestInfo {
  return {
    id: "tx-1",
    remoteAddr: "192.0.2.7",
    remotePort: 40000,
    serverAddr: "198.51.100.1",
    serverPort: 8080,
    method: "GET",
    uri: "/",
    protocol: "HTTP/1.1",
    headers: [["Host", "shop.example"]],
    ...over,
  };
}

/** Runs a full request through every phase; returns the transaction. */
export function run(rs: RuleSet, over: Partial<RequestInfo> = {}, body?: string): Transaction {
  const tx = rs.newTransaction(request(over));
  tx.processRequestHeaders();
  if (body !== undefined) tx.appendRequestBody(body);
  tx.processRequestBody();
  tx.processResponseHeaders(200, "HTTP/1.1", [["Content-Type", "text/html"]]);
  tx.processResponseBody();
  tx.processLogging();
  return tx;
}

export function ids(tx: Transaction): number[] {
  return tx.matchedRules.map((m) => m.id);
}

export function txVar(tx: Transaction, key: string): string | undefined {
  return tx.data.tx.first(key.toLowerCase())?.value;
}
