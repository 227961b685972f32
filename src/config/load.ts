/**
 * Reads rampart.yaml: YAML (parseDocument, so every node keeps its source range) -> zod schema ->
 * a typed RampartConfig, or a ConfigError listing every problem with its path and line. Nothing is
 * half-applied: callers get a whole config or an error.
 */
import { readFile } from "node:fs/promises";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { ZodIssue } from "zod";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { crossReferenceIssues, type RampartConfig, rampartConfigSchema } from "./schema.js";

type PathPart = string | number;

/** `["routes", 2, "rateLimits", 0, "rate"]` -> `routes[2].rateLimits[0].rate`. */
export function formatPath(path: readonly PathPart[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}

/** Source offset of the node at `path`, or of its nearest ancestor present in the document; -1 if none. */
function offsetOf(doc: Document, path: readonly PathPart[]): number {
  for (let i = path.length; i >= 0; i--) {
    const node = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
    if (hasRange(node)) return node.range[0];
  }
  return -1;
}

/** Offset of the key `key` inside the map at `path` (for unknown keys, point at the key itself). */
function offsetOfKey(doc: Document, path: readonly PathPart[], key: string): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key && hasRange(pair.key)) return pair.key.range[0];
    }
  }
  return offsetOf(doc, path);
}

/** An issue with its source offset, to sort issues in the order of the file. */
type Located = { path: string; at: number; message: string };

function zodMessage(issue: ZodIssue): string {
  if (issue.code === "invalid_type" && issue.received === "undefined") return "is required";
  if (issue.code === "invalid_type") return `expected ${issue.expected}, got ${issue.received}`;
  if (issue.code === "invalid_enum_value") {
    return `must be one of ${issue.options.join(", ")} (got ${JSON.stringify(issue.received)})`;
  }
  return issue.message;
}

function issuesFromZod(doc: Document, zodIssues: readonly ZodIssue[]): Located[] {
  const out: Located[] = [];
  for (const issue of zodIssues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          at: offsetOfKey(doc, issue.path, key),
          message: "unknown key",
        });
      }
    } else {
      out.push({ path: formatPath(issue.path), at: offsetOf(doc, issue.path), message: zodMessage(issue) });
    }
  }
  return out;
}

/** Parses and validates config text; `file` names the source in error messages. */
export function parseConfig(text: string, file = "rampart.yaml"): RampartConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const toIssues = (found: Located[]): ConfigIssue[] =>
    found
      .sort((a, b) => a.at - b.at)
      .map((i) => ({ path: i.path, line: i.at < 0 ? 0 : lc.linePos(i.at).line, message: i.message }));
  if (doc.errors.length > 0) {
    const found = doc.errors.map((e) => ({
      path: "",
      at: e.pos[0],
      message: `YAML: ${e.message.split("\n")[0]}`,
    }));
    throw new ConfigError(file, toIssues(found));
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = rampartConfigSchema.safeParse(data);
  if (!result.success) {
    // zod skips refinements of objects that failed, so cross references are checked on the raw data.
    const found = issuesFromZod(doc, result.error.issues);
    const have = new Set(found.map((i) => `${i.path}\u0000${i.message}`));
    for (const x of crossReferenceIssues(data)) {
      const path = formatPath(x.path);
      if (!have.has(`${path}\u0000${x.message}`))
        found.push({ path, at: offsetOf(doc, x.path), message: x.message });
    }
    throw new ConfigError(file, toIssues(found));
  }
  return result.data;
}

/** Reads and validates a config file. Unreadable file -> ConfigError too (one issue, line 0). */
export async function loadConfig(path: string): Promise<RampartConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(path, [{ path: "", line: 0, message: `cannot read the file: ${reason}` }], {
      cause: err,
    });
  }
  return parseConfig(text, path);
}
