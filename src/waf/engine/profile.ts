/**
 * Opt-in per-rule profile: where a rule set spends its time. `enableProfile(ruleSet)` makes every
 * transaction of that rule set time each rule (chain starter and its links) and count calls and
 * matches, and wraps the rules' operators and transformations to split the time between them.
 * Off (the default), the only cost is one field read per rule in Transaction.runPhase: no timer,
 * no wrapper. The wrappers stay until `stop()`; profile a rule set loaded for that purpose (the
 * `rampart waf profile` command does), not the gateway's.
 *
 * Timing uses performance.now() (a double, no BigInt per call); its resolution is well under a
 * microsecond in Node, and per-rule figures are sums over thousands of calls.
 */
import type { ByteString, Operator, OperatorContext, Transform } from "../types.js";
import type { Rule } from "./rule.js";
import type { RuleSet } from "./ruleset.js";
import type { NewTransaction } from "./transaction.js";

/** Counters for one rule (a chain starter; its links are counted in it). */
export interface RuleProfileEntry {
  readonly rule: Rule;
  /** Evaluations of the rule (once per transaction and phase it is reached in). */
  calls: number;
  /** Evaluations where the whole chain matched. */
  matches: number;
  /** Milliseconds in the rule: collecting values, transformations, operator, actions. */
  totalMs: number;
  /** Milliseconds in the operator (chain links included). */
  operatorMs: number;
  operatorCalls: number;
  /** Milliseconds in transformations (cache hits cost nothing here). */
  transformMs: number;
}

export interface NamedTime {
  readonly name: string;
  readonly calls: number;
  readonly ms: number;
}

export class RuleProfile {
  private readonly byRule = new Map<Rule, RuleProfileEntry>();
  private readonly operators = new Map<string, { calls: number; ms: number }>();
  private readonly transforms = new Map<string, { calls: number; ms: number }>();
  private readonly restore: Array<() => void> = [];
  /** Transactions' total time in rules, milliseconds. */
  totalMs = 0;

  /** @internal the counters of a chain starter, created on first use. */
  entry(rule: Rule): RuleProfileEntry {
    let e = this.byRule.get(rule);
    if (e === undefined) {
      e = { rule, calls: 0, matches: 0, totalMs: 0, operatorMs: 0, operatorCalls: 0, transformMs: 0 };
      this.byRule.set(rule, e);
    }
    return e;
  }

  /** @internal called by Transaction.runPhase around each rule evaluation (also when it threw). */
  record(rule: Rule, ms: number): void {
    const e = this.entry(rule);
    e.calls++;
    e.totalMs += ms;
    this.totalMs += ms;
  }

  /** @internal called by Transaction.runPhase when the whole chain matched. */
  matched(rule: Rule): void {
    this.entry(rule).matches++;
  }

  /** Every rule that was evaluated, most total time first. */
  rules(): RuleProfileEntry[] {
    return [...this.byRule.values()].filter((e) => e.calls > 0).sort((a, b) => b.totalMs - a.totalMs);
  }

  /** Time per operator name (`rx`, `pm`, ...), most first. */
  operatorTimes(): NamedTime[] {
    return named(this.operators);
  }

  /** Time per transformation name, most first. */
  transformTimes(): NamedTime[] {
    return named(this.transforms);
  }

  /** Clears the counters (e.g. after a warm-up). */
  reset(): void {
    // Zeroed in place: the wrappers hold these objects.
    for (const e of this.byRule.values()) {
      e.calls = e.matches = e.operatorCalls = 0;
      e.totalMs = e.operatorMs = e.transformMs = 0;
    }
    for (const c of this.operators.values()) c.calls = c.ms = 0;
    for (const c of this.transforms.values()) c.calls = c.ms = 0;
    this.totalMs = 0;
  }

  /** Removes the wrappers and detaches the profile from its rule set. */
  stop(ruleSet: RuleSet): void {
    for (const undo of this.restore.splice(0)) undo();
    if (ruleSet.profile === this) ruleSet.profile = undefined;
  }

  /** @internal wraps a rule's operator and transformations so their time lands in `head`'s entry. */
  wrap(rule: Rule, head: Rule): void {
    const op = rule.operator;
    if (op !== undefined) {
      const e = this.entry(head);
      const total = counter(this.operators, rule.operatorName);
      const timed: Operator = {
        evaluate(input: ByteString, ctx: OperatorContext): boolean {
          const t0 = performance.now();
          try {
            return op.evaluate(input, ctx);
          } finally {
            const ms = performance.now() - t0;
            e.operatorMs += ms;
            e.operatorCalls++;
            total.ms += ms;
            total.calls++;
          }
        },
      };
      rule.operator = timed;
      this.restore.push(() => {
        rule.operator = op;
      });
    }
    const original = rule.transforms;
    if (original.length > 0) {
      const e = this.entry(head);
      rule.transforms = original.map((fn, i): Transform => {
        const total = counter(this.transforms, rule.transformNames[i] ?? fn.name);
        return (input) => {
          const t0 = performance.now();
          const out = fn(input);
          const ms = performance.now() - t0;
          e.transformMs += ms;
          total.ms += ms;
          total.calls++;
          return out;
        };
      });
      this.restore.push(() => {
        rule.transforms = original;
      });
    }
  }
}

function counter(
  map: Map<string, { calls: number; ms: number }>,
  name: string,
): { calls: number; ms: number } {
  let c = map.get(name);
  if (c === undefined) {
    c = { calls: 0, ms: 0 };
    map.set(name, c);
  }
  return c;
}

function named(map: Map<string, { calls: number; ms: number }>): NamedTime[] {
  return [...map].map(([name, c]) => ({ name, calls: c.calls, ms: c.ms })).sort((a, b) => b.ms - a.ms);
}

/** Turns profiling on for every later transaction of `ruleSet`; returns the profile to read. */
export function enableProfile(ruleSet: RuleSet): RuleProfile {
  if (ruleSet.profile !== undefined) return ruleSet.profile;
  const profile = new RuleProfile();
  for (const head of ruleSet.rules())
    for (let r: Rule | undefined = head; r !== undefined; r = r.chain) profile.wrap(r, head);
  ruleSet.profile = profile;
  return profile;
}

// ---------------------------------------------------------------------------------------------
// A built-in mix of typical requests, the same five kinds as bench/waf/run.ts.

/** One request of the mix: what the gateway would hand the engine. */
export interface ProfileRequest {
  readonly kind: string;
  readonly method: string;
  readonly uri: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

const BROWSER: ReadonlyArray<readonly [string, string]> = [
  ["Host", "shop.example"],
  ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
  ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
  ["Accept-Language", "en-GB,en;q=0.5"],
  ["Accept-Encoding", "gzip, deflate"],
];

function formBody(): string {
  const fields =
    "first_name=Ada&last_name=Lovelace&email=ada%40example.com&phone=%2B44+20+7946+0000&street=12+St+James%27s+Square&city=London&postcode=SW1Y+4JH&country=GB&shipping=standard&payment=card&card_holder=Ada+Lovelace&coupon=AUTUMN10&gift_wrap=0&newsletter=1&cart_id=7f3c2a9e41b84d0c&currency=GBP&note=";
  const words =
    "please leave the parcel with the neighbour at number fourteen if nobody answers the door thank you very much".split(
      " ",
    );
  let body = fields;
  for (let i = 0; body.length < 2048; i++) body += `${words[i % words.length]}+`;
  return body.slice(0, 2048);
}

function jsonBody(): string {
  const items = [];
  for (let n = 1; n <= 8; n++)
    items.push({
      sku: `MUG-${String(n).padStart(4, "0")}`,
      name: `Rampart mug ${n}`,
      quantity: (n % 3) + 1,
      price: 12.5,
      options: { colour: "blue", gift: false },
    });
  return JSON.stringify({
    cart: "7f3c2a9e41b84d0c",
    customer: { email: "ada@example.com", name: "Ada Lovelace" },
    items,
    coupon: "AUTUMN10",
    note: "leave at the door",
  });
}

/** The five kinds: plain GET, GET with 10 arguments, 2 KB form POST, ~1 KB JSON POST, SQL injection. */
export function typicalRequests(): ProfileRequest[] {
  const form = formBody();
  const json = jsonBody();
  return [
    { kind: "GET", method: "GET", uri: "/product/1", headers: BROWSER },
    {
      kind: "GET 10 args",
      method: "GET",
      uri: "/search?q=blue+mug&category=kitchen&colour=blue&size=m&sort=price&order=asc&page=2&per_page=20&brand=rampart&in_stock=1",
      headers: BROWSER,
    },
    {
      kind: "POST form 2KB",
      method: "POST",
      uri: "/checkout",
      headers: [
        ...BROWSER,
        ["Content-Type", "application/x-www-form-urlencoded"],
        ["Content-Length", String(form.length)],
      ],
      body: form,
    },
    {
      kind: "POST JSON 1KB",
      method: "POST",
      uri: "/api/cart",
      headers: [...BROWSER, ["Content-Type", "application/json"], ["Content-Length", String(json.length)]],
      body: json,
    },
    {
      kind: "SQLi GET",
      method: "GET",
      uri: "/product?id=1%27%20UNION%20SELECT%20username%2C%20password%20FROM%20users--%20-",
      headers: BROWSER,
    },
  ];
}

const RESPONSE_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Content-Type", "application/json"],
  ["Content-Length", "68"],
];
const RESPONSE_BODY = '{"ok":true,"product":{"id":1,"name":"Rampart mug","price":12.5}}';

/** Runs one request through every phase as the gateway does; returns true when it was blocked. */
export function runRequest(ruleSet: RuleSet, req: ProfileRequest, id: string): boolean {
  const info: NewTransaction = {
    id,
    remoteAddr: "192.0.2.10",
    remotePort: 40000,
    serverAddr: "127.0.0.1",
    serverPort: 8080,
    method: req.method,
    uri: req.uri,
    protocol: "HTTP/1.1",
    headers: req.headers,
  };
  const tx = ruleSet.newTransaction(info);
  let blocked = tx.processRequestHeaders() !== undefined;
  if (!blocked && req.body !== undefined) blocked = tx.appendRequestBody(req.body) !== undefined;
  if (!blocked) blocked = tx.processRequestBody() !== undefined;
  if (!blocked) {
    tx.processResponseHeaders(200, "HTTP/1.1", RESPONSE_HEADERS);
    tx.appendResponseBody(RESPONSE_BODY);
    tx.processResponseBody();
  }
  tx.processLogging();
  return blocked;
}

const WARM_ONE_BYTE = " ".repeat(1024);
const WARM_TWO_BYTE = `${" ".repeat(1023)}\u0100`;

/**
 * Has V8 generate the code of every pattern of `ruleSet` (native code at once: subjects of 1000
 * chars or more skip its interpreter; once per string width, as inputs holding the \r stand-in
 * are two-byte strings), then runs the typical request mix `rounds` times for the engine's own
 * code. A cold process otherwise pays this inside requests and their time budget: up to ~200 ms
 * for the first request on CRS PL1 (loaded machine), and a pattern's first use later on. Costs
 * about half a second for CRS at load.
 */
export function warmUp(ruleSet: RuleSet, rounds = 10): void {
  for (const re of ruleSet.patterns) {
    re.test(WARM_ONE_BYTE);
    re.test(WARM_TWO_BYTE);
  }
  const mix = typicalRequests();
  for (let r = 0; r < rounds; r++) for (const req of mix) runRequest(ruleSet, req, `warm-up-${r}`);
}
