/**
 * Label matchers, as Alertmanager writes them for silences, inhibition rules and routes
 * (https://prometheus.io/docs/alerting/latest/configuration/#matcher): `name="value"`,
 * `name!="value"`, `name=~"regex"`, `name!~"regex"`. Quotes are optional when the value has no
 * space, comma or brace (the CLI's `--match route=checkout`). Regexes are anchored at both ends,
 * and a missing label matches as the empty string, both as in Alertmanager.
 */
import { AlertsError } from "./errors.js";

export const MATCH_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

export type Labels = Readonly<Record<string, string>>;

export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_REGEX_CHARS = 1000;

const compiled = new Map<string, RegExp>();

function anchored(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(`^(?:${source})$`, "u");
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

/** Builds a matcher, checking its name and (for =~ and !~) its regex. */
export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  if (!LABEL_NAME.test(name)) {
    throw new AlertsError("ALERT_MATCHER_INVALID", `${JSON.stringify(name)} is not a label name`, {
      hint: "label names are letters, digits and _, not starting with a digit",
    });
  }
  if (op === "=~" || op === "!~") {
    if (value.length > MAX_REGEX_CHARS) {
      throw new AlertsError(
        "ALERT_MATCHER_INVALID",
        `regex of ${name} is longer than ${MAX_REGEX_CHARS} chars`,
      );
    }
    try {
      anchored(value);
    } catch (err) {
      throw new AlertsError("ALERT_MATCHER_INVALID", `${name}${op}: ${(err as Error).message}`, {
        hint: "a JavaScript regular expression, matched against the whole value",
      });
    }
  }
  return { name, op, value };
}

const MATCHER_TEXT = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses one matcher: `route="checkout"`, `route=checkout`, `severity=~"warn.*"`. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_TEXT.exec(text);
  if (m === null) {
    throw new AlertsError("ALERT_MATCHER_INVALID", `${JSON.stringify(text)} is not a matcher`, {
      hint: 'write NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX, e.g. route="checkout"',
    });
  }
  let value = m[3]!;
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) {
      throw new AlertsError("ALERT_MATCHER_INVALID", `${JSON.stringify(text)}: unterminated quoted value`);
    }
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new AlertsError(
        "ALERT_MATCHER_INVALID",
        `${JSON.stringify(text)}: bad escape in the quoted value`,
      );
    }
  }
  return makeMatcher(m[1]!, m[2] as MatchOp, value);
}

export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return anchored(m.value).test(v);
    case "!~":
      return !anchored(m.value).test(v);
  }
}

/** True when every matcher matches (an empty list matches everything). */
export function matchesAll(ms: readonly Matcher[], labels: Labels): boolean {
  for (const m of ms) if (!matches(m, labels)) return false;
  return true;
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
