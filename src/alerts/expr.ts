/**
 * The expression language of alert rules: a small subset of PromQL's comparison of an instant
 * vector with a scalar (https://prometheus.io/docs/prometheus/latest/querying/operators/), over the
 * monitor's per-second series, plus an `anomaly(...)` function that scores a series with a
 * streaming detector (src/monitor/detectors).
 *
 * ```
 * expr      := operand CMP number [unit] ["for" duration]
 * operand   := "anomaly" "(" sum "," detector ")" | "rate" "(" sum ")" | sum
 * sum       := selector ("+" selector)*
 * selector  := series ["{" matcher ("," matcher)* [","] "}"]
 * matcher   := label ("=" | "!=" | "=~" | "!~") (string | word)
 * CMP       := ">" | ">=" | "<" | "<=" | "==" | "!="
 * unit      := "%" (a ratio: 5% is 0.05) | "/s" (series are per second already)
 * ```
 *
 * Examples: `error_ratio > 0.05 for 30s`, `requests{route="checkout"} < 1/s`,
 * `anomaly(requests, drop) > 0.9`, `p99_ms{route=~"check.*"} > 800 for 1m`,
 * `anomaly(rate_limited + shed, spike) > 0.9`. A sum adds the series of identical label sets (PromQL's
 * one-to-one vector matching, https://prometheus.io/docs/prometheus/latest/querying/operators/#one-to-one-vector-matches).
 * Errors name the column.
 */
import { detectorNames } from "../monitor/detectors/index.js";
import { SERIES_NAMES } from "../monitor/series/names.js";
import { tryParseDuration } from "./duration.js";
import { AlertsError } from "./errors.js";
import { type Labels, MATCH_OPS, type Matcher, type MatchOp, makeMatcher, matchesAll } from "./matchers.js";

/**
 * Ratio series and the counts they are made of: the `ratio` detector needs both (1 error in 2
 * requests is not 500 in 1000; src/monitor/detectors/ratio.ts).
 */
export const RATIO_PARTS: Readonly<Record<string, { numerator: string; denominator: string }>> = {
  error_ratio: { numerator: "s5xx", denominator: "requests" },
  block_ratio: { numerator: "blocked", denominator: "requests" },
};

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface SeriesSelector {
  readonly series: string;
  readonly matchers: readonly Matcher[];
}

export interface RuleExpr {
  readonly kind: "threshold" | "anomaly";
  /** Summed terms (one for a plain series). */
  readonly terms: readonly SeriesSelector[];
  /** Detector name, for anomaly expressions. */
  readonly detector?: string;
  readonly op: Comparison;
  readonly threshold: number;
  /** A `for` written inside the expression. */
  readonly forMs?: number;
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

export function selects(sel: SeriesSelector, name: string, labels: Labels): boolean {
  return name === sel.series && matchesAll(sel.matchers, labels);
}

function fail(text: string, at: number, message: string, hint?: string): never {
  throw new AlertsError(
    "ALERT_EXPR_INVALID",
    `at column ${at + 1}: ${message} (in ${JSON.stringify(text)})`,
    hint === undefined ? undefined : { hint },
  );
}

/** A hand-written recursive-descent parser over the expression text (no tokenizer pass needed). */
class Parser {
  at = 0;
  constructor(readonly text: string) {}

  skip(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  /** Skips blanks and returns where the next token begins. */
  pos(): number {
    this.skip();
    return this.at;
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.at);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.at += s.length;
    return true;
  }

  expect(s: string, what: string): void {
    if (!this.eat(s)) fail(this.text, this.at, `expected ${what}, found ${this.found()}`);
  }

  found(): string {
    this.skip();
    if (this.at >= this.text.length) return "the end";
    return JSON.stringify(this.text.slice(this.at, this.at + 12));
  }

  word(re = /[A-Za-z_][A-Za-z0-9_-]*/y): string | undefined {
    this.skip();
    re.lastIndex = this.at;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.at += m[0].length;
    return m[0];
  }

  /** Lowercase keyword test without consuming: `for`, `anomaly`, `rate`. */
  keyword(k: string): boolean {
    this.skip();
    const after = this.text[this.at + k.length];
    return (
      this.text.slice(this.at, this.at + k.length).toLowerCase() === k &&
      (after === undefined || !/[A-Za-z0-9_]/.test(after))
    );
  }

  parse(): RuleExpr {
    let kind: RuleExpr["kind"] = "threshold";
    let detector: string | undefined;
    let terms: SeriesSelector[];
    if (
      this.keyword("anomaly") &&
      this.text
        .slice(this.at + 7)
        .trimStart()
        .startsWith("(")
    ) {
      this.at += 7;
      this.expect("(", '"(" after anomaly');
      terms = this.sum();
      this.expect(",", '"," and a detector name');
      const start = this.pos();
      const name = this.word();
      if (name === undefined) fail(this.text, this.at, `expected a detector name, found ${this.found()}`);
      const known = [...detectorNames(), "ratio"];
      if (!known.includes(name)) {
        fail(
          this.text,
          start,
          `unknown detector ${JSON.stringify(name)}`,
          `known detectors: ${known.join(", ")}`,
        );
      }
      if (name === "ratio" && (terms.length !== 1 || RATIO_PARTS[terms[0]!.series] === undefined)) {
        fail(
          this.text,
          start,
          `the ratio detector scores one of ${Object.keys(RATIO_PARTS).join(", ")}, not ${terms.map((t) => t.series).join(" + ")}`,
        );
      }
      this.expect(")", '")"');
      kind = "anomaly";
      detector = name;
    } else if (
      this.keyword("rate") &&
      this.text
        .slice(this.at + 4)
        .trimStart()
        .startsWith("(")
    ) {
      // Series are per-second rates already: rate(x) is x, accepted so that PromQL habits work.
      this.at += 4;
      this.expect("(", '"("');
      terms = this.sum();
      this.expect(")", '")"');
    } else {
      terms = this.sum();
    }
    const op = this.comparison();
    let threshold = this.number();
    if (this.eat("%")) threshold /= 100;
    else if (this.eat("/s")) {
      // per second: the series' own unit
    }
    let forMs: number | undefined;
    if (this.keyword("for")) {
      this.at += 3;
      const start = this.pos();
      const text = this.word(/[0-9][0-9a-z]*/y);
      const ms = text === undefined ? undefined : tryParseDuration(text);
      if (ms === undefined)
        fail(this.text, start, `expected a duration after "for" (30s, 5m), found ${this.found()}`);
      forMs = ms;
    }
    this.skip();
    if (this.at < this.text.length) fail(this.text, this.at, `unexpected ${this.found()}`);
    return {
      kind,
      terms,
      ...(detector === undefined ? {} : { detector }),
      op,
      threshold,
      ...(forMs === undefined ? {} : { forMs }),
    };
  }

  sum(): SeriesSelector[] {
    const terms = [this.selector()];
    while (this.eat("+")) terms.push(this.selector());
    return terms;
  }

  selector(): SeriesSelector {
    const start = this.pos();
    const series = this.word(/[A-Za-z_][A-Za-z0-9_]*/y);
    if (series === undefined) fail(this.text, this.at, `expected a series name, found ${this.found()}`);
    if (!(SERIES_NAMES as readonly string[]).includes(series)) {
      fail(
        this.text,
        start,
        `unknown series ${JSON.stringify(series)}`,
        `series: ${SERIES_NAMES.join(", ")}`,
      );
    }
    const matchers: Matcher[] = [];
    if (this.eat("{")) {
      while (!this.eat("}")) {
        const labelAt = this.pos();
        const label = this.word(/[A-Za-z_][A-Za-z0-9_]*/y);
        if (label === undefined) fail(this.text, this.at, `expected a label name, found ${this.found()}`);
        this.skip();
        const op = ([...MATCH_OPS].sort((a, b) => b.length - a.length).find((o) => this.eat(o)) ??
          fail(
            this.text,
            this.at,
            `expected =, !=, =~ or !~ after ${label}, found ${this.found()}`,
          )) as MatchOp;
        const value = this.value();
        try {
          matchers.push(makeMatcher(label, op, value));
        } catch (err) {
          fail(this.text, labelAt, (err as Error).message);
        }
        if (!this.eat(",")) {
          this.expect("}", '"," or "}"');
          break;
        }
      }
    }
    return { series, matchers };
  }

  value(): string {
    this.skip();
    const start = this.at;
    if (this.text[this.at] === '"') {
      let end = this.at + 1;
      while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === "\\" ? 2 : 1;
      if (end >= this.text.length) fail(this.text, start, "unterminated string");
      this.at = end + 1;
      try {
        return JSON.parse(this.text.slice(start, end + 1)) as string;
      } catch {
        fail(this.text, start, "bad escape in string");
      }
    }
    const w = this.word(/[A-Za-z0-9_.:\-/]+/y);
    if (w === undefined) fail(this.text, start, `expected a label value, found ${this.found()}`);
    return w;
  }

  comparison(): Comparison {
    this.skip();
    for (const op of [">=", "<=", "==", "!=", ">", "<"] as const) if (this.eat(op)) return op;
    return fail(this.text, this.at, `expected a comparison (>, >=, <, <=, ==, !=), found ${this.found()}`);
  }

  number(): number {
    const start = this.pos();
    const w = this.word(/[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/iy);
    if (w === undefined) fail(this.text, start, `expected a number, found ${this.found()}`);
    return Number(w);
  }
}

/** Parses a rule expression; throws AlertsError ALERT_EXPR_INVALID naming the column. */
export function parseExpr(text: string): RuleExpr {
  return new Parser(text).parse();
}
