/**
 * Paths into a config, as policies and plans print them and user policies write them:
 * `waf.paranoia`, `routes[name=checkout].rateLimits`, `routes[*].rateLimits[0].rate`,
 * `upstreams.*.concurrency.limit`, `waf.modules["data-leakages"]`. Elements of named lists are
 * shown as `[name=x]` rather than by index, so a path still means the same thing after routes are
 * reordered.
 */

export type PathStep =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "all" }
  | { readonly kind: "where"; readonly field: string; readonly value: string };

export class PathSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at character ${offset + 1}`);
    this.offset = offset;
  }
}

export const MAX_PATH_LENGTH = 500;
const MAX_STEPS = 32;
const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const INDEX = /(0|[1-9][0-9]{0,8})\]/y;
const WHERE = /([A-Za-z_][A-Za-z0-9_-]*)=([^\]"[]+)\]/y;

/** Parses a path; throws PathSyntaxError naming the offending character. */
export function parsePath(text: string): PathStep[] {
  if (text.length === 0) throw new PathSyntaxError("empty path", 0);
  if (text.length > MAX_PATH_LENGTH)
    throw new PathSyntaxError(`path longer than ${MAX_PATH_LENGTH} characters`, 0);
  const steps: PathStep[] = [];
  let i = 0;
  const ident = (): string | undefined => {
    IDENT.lastIndex = i;
    const m = IDENT.exec(text);
    if (m === null) return undefined;
    i = IDENT.lastIndex;
    return m[0];
  };
  const field = (): void => {
    if (text[i] === "*") {
      i++;
      steps.push({ kind: "all" });
      return;
    }
    const key = ident();
    if (key === undefined) throw new PathSyntaxError("expected a key name or *", i);
    steps.push({ kind: "key", key });
  };
  if (text[0] !== "[") field();
  while (i < text.length) {
    if (steps.length >= MAX_STEPS) throw new PathSyntaxError(`more than ${MAX_STEPS} steps`, i);
    const c = text[i];
    if (c === ".") {
      i++;
      field();
    } else if (c === "[") {
      i++;
      if (text.startsWith("*]", i)) {
        i += 2;
        steps.push({ kind: "all" });
        continue;
      }
      if (text[i] === '"') {
        const end = findStringEnd(text, i);
        let key: unknown;
        try {
          key = JSON.parse(text.slice(i, end + 1));
        } catch {
          throw new PathSyntaxError("bad quoted key", i);
        }
        if (text[end + 1] !== "]") throw new PathSyntaxError("expected ]", end + 1);
        i = end + 2;
        steps.push({ kind: "key", key: key as string });
        continue;
      }
      INDEX.lastIndex = i;
      const idx = INDEX.exec(text);
      if (idx !== null) {
        i = INDEX.lastIndex;
        steps.push({ kind: "index", index: Number(idx[1]) });
        continue;
      }
      WHERE.lastIndex = i;
      const w = WHERE.exec(text);
      if (w !== null) {
        i = WHERE.lastIndex;
        steps.push({ kind: "where", field: w[1]!, value: w[2]! });
        continue;
      }
      throw new PathSyntaxError('expected [*], [N], [field=value] or ["key"]', i);
    } else {
      throw new PathSyntaxError(`unexpected ${JSON.stringify(c)}`, i);
    }
  }
  return steps;
}

function findStringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j;
  }
  throw new PathSyntaxError("unterminated quoted key", start);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PLAIN_VALUE = /^[^\]"[]+$/;

/** Appends a key to a path: `a` + `b` -> `a.b`, odd keys quoted. */
export function joinKey(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Appends an array element: `[name=x]` when it has a usable name, else its index. */
export function joinElement(path: string, element: unknown, index: number): string {
  const name = isRecord(element) ? element.name : undefined;
  if (typeof name === "string" && PLAIN_VALUE.test(name)) return `${path}[name=${name}]`;
  return `${path}[${index}]`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface PathMatch {
  readonly path: string;
  readonly value: unknown;
}

export interface Resolution {
  readonly matches: PathMatch[];
  /** Concrete paths where a key, index or [field=value] found nothing. */
  readonly missing: string[];
}

/**
 * All values a path designates. `[*]` over an empty list designates nothing (a "for all" over
 * nothing holds); a key or selector that finds nothing is reported in `missing`.
 */
export function resolvePath(root: unknown, steps: readonly PathStep[]): Resolution {
  let current: PathMatch[] = [{ path: "", value: root }];
  const missing: string[] = [];
  for (const step of steps) {
    const next: PathMatch[] = [];
    for (const { path, value } of current) {
      switch (step.kind) {
        case "key": {
          const p = joinKey(path, step.key);
          if (isRecord(value) && Object.hasOwn(value, step.key) && value[step.key] !== undefined) {
            next.push({ path: p, value: value[step.key] });
          } else missing.push(p);
          break;
        }
        case "index": {
          if (Array.isArray(value) && step.index < value.length) {
            next.push({ path: joinElement(path, value[step.index], step.index), value: value[step.index] });
          } else missing.push(`${path}[${step.index}]`);
          break;
        }
        case "all": {
          if (Array.isArray(value)) {
            for (let i = 0; i < value.length; i++)
              next.push({ path: joinElement(path, value[i], i), value: value[i] });
          } else if (isRecord(value))
            for (const [k, v] of Object.entries(value)) next.push({ path: joinKey(path, k), value: v });
          else missing.push(`${path}[*]`);
          break;
        }
        case "where": {
          const found = Array.isArray(value)
            ? value.filter(
                (v) => isRecord(v) && v[step.field] !== undefined && String(v[step.field]) === step.value,
              )
            : [];
          if (found.length === 0) missing.push(`${path}[${step.field}=${step.value}]`);
          for (const v of found) next.push({ path: `${path}[${step.field}=${step.value}]`, value: v });
          break;
        }
      }
    }
    current = next;
  }
  return { matches: current, missing };
}

/**
 * The concrete path as keys and indexes (`routes[name=checkout].rateLimits` ->
 * `["routes", 0, "rateLimits"]`), for finding its line in the YAML document (yaml's `getIn`);
 * undefined when it selects nothing or more than one value.
 */
export function pathSegments(root: unknown, text: string): (string | number)[] | undefined {
  let steps: PathStep[];
  try {
    steps = parsePath(text);
  } catch {
    return undefined;
  }
  const out: (string | number)[] = [];
  let value = root;
  for (const step of steps) {
    if (step.kind === "key") {
      if (!isRecord(value) || value[step.key] === undefined) return undefined;
      out.push(step.key);
      value = value[step.key];
    } else if (step.kind === "index") {
      if (!Array.isArray(value) || step.index >= value.length) return undefined;
      out.push(step.index);
      value = value[step.index];
    } else if (step.kind === "where") {
      if (!Array.isArray(value)) return undefined;
      const hits = value.flatMap((v, i) =>
        isRecord(v) && v[step.field] !== undefined && String(v[step.field]) === step.value ? [i] : [],
      );
      if (hits.length !== 1) return undefined;
      out.push(hits[0]!);
      value = value[hits[0]!];
    } else return undefined;
  }
  return out;
}

/** Structural equality of plain data; a key holding undefined counts as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
