/**
 * `rampart limits tighten ROUTE`: the runbook step that protects the shop during a surge, as a pure
 * edit of the config document. Every rate limit of the route gets `factor` times less rate and
 * burst; the YAML keeps its comments and layout (the yaml library's Document API edits nodes in
 * place), and the result goes through the normal apply path: parse, policies, a new version.
 */
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { IncidentError } from "./errors.js";

export interface TightenedLimit {
  readonly limit: string;
  readonly rate: { readonly before: string; readonly after: string };
  readonly burst: { readonly before: number; readonly after: number };
}

export interface TightenResult {
  readonly document: string;
  readonly route: string;
  readonly factor: number;
  readonly limits: readonly TightenedLimit[];
}

const RATE = /^\s*(\d+)\s*\/\s*(\d+)?\s*(ms|s|sec|m|min|h|hour|d|day)\s*$/i;

/**
 * `count/[n]unit` divided by `factor`, still exact where it can be: 10/s by 2 is 5/s, 10/s by 3 is
 * 10/3s (the period grows instead of the count turning fractional). Never below 1 request per period.
 */
export function divideRate(text: string, factor: number): string {
  const m = RATE.exec(text);
  if (m === null) throw new IncidentError("LIMITS_NOT_TIGHTENABLE", `${JSON.stringify(text)} is not a rate`);
  const count = Number(m[1]);
  const multiple = m[2] === undefined ? 1 : Number(m[2]);
  const unit = m[3]!;
  const per = (n: number) => (n === 1 ? unit : `${n}${unit}`);
  for (let k = 1; k <= 1000; k++) {
    const c = (count * k) / factor;
    if (c >= 1 && Math.abs(c - Math.round(c)) < 1e-9) return `${Math.round(c)}/${per(multiple * k)}`;
  }
  // A factor without a small exact form (e.g. 1.7): the nearest count below, at least 1.
  return `${Math.max(1, Math.floor(count / factor))}/${per(multiple)}`;
}

export function tightenRouteLimits(document: string, route: string, factor: number): TightenResult {
  if (!(Number.isFinite(factor) && factor > 1 && factor <= 1000)) {
    throw new IncidentError("LIMITS_NOT_TIGHTENABLE", `factor ${factor} does not tighten`, {
      hint: "give a factor above 1 (2 halves the rate); loosening is a config change to review, not a runbook step",
    });
  }
  const doc = parseDocument(document);
  const routes = doc.get("routes");
  const names: string[] = [];
  let node: YAMLMap | undefined;
  if (isSeq(routes)) {
    for (const item of routes.items) {
      if (!isMap(item)) continue;
      const name = String(item.get("name"));
      names.push(name);
      if (name === route) node = item;
    }
  }
  if (node === undefined) {
    throw new IncidentError(
      "LIMITS_NOT_TIGHTENABLE",
      `the live config has no route ${JSON.stringify(route)}`,
      {
        hint: `routes: ${names.join(", ") || "none"}`,
      },
    );
  }
  const limits = node.get("rateLimits");
  if (!isSeq(limits) || limits.items.length === 0) {
    throw new IncidentError("LIMITS_NOT_TIGHTENABLE", `route ${route} has no rate limits to tighten`, {
      hint: "add one to the config (routes[].rateLimits) and apply it",
    });
  }
  const out: TightenedLimit[] = [];
  for (const item of limits.items) {
    if (!isMap(item)) continue;
    const rate = String(item.get("rate"));
    const burstValue = item.get("burst");
    const burst = typeof burstValue === "number" ? burstValue : 0;
    const after = divideRate(rate, factor);
    const burstAfter = Math.floor(burst / factor);
    item.set("rate", after);
    if (item.has("burst")) item.set("burst", burstAfter);
    out.push({
      limit: String(item.get("name")),
      rate: { before: rate, after },
      burst: { before: burst, after: burstAfter },
    });
  }
  return { document: doc.toString(), route, factor, limits: out };
}
