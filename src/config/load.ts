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

/** Line of the node at `path`, or of its nearest ancestor present in the document. */
function lineOf(doc: Document, lc: LineCounter, path: readonly PathPart[]): number {
  for (let i = path.length; i >= 0; i--) {
    const node = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
    if (hasRange(node)) return lc.linePos(node.range[0]).line;
  }
  return 0;
}

/** Line of the key `key` inside the map at `path` (for unknown keys, point at the key itself). */
function lineOfKey(doc: Document, lc: LineCounter, path: readonly PathPart[], key: string): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key && hasRange(pair.key))
        return lc.linePos(pair.key.range[0]).line;
    }
  }
  return lineOf(doc, lc, path);
}

function issuesFromZod(doc: Document, lc: LineCounter, zodIssues: readonly ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          line: lineOfKey(doc, lc, issue.path, key),
          message: "unknown key",
        });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === "invalid_type" && issue.received === "undefined") message = "is required";
    else if (issue.code === "invalid_type") message = `expected ${issue.expected}, got ${issue.received}`;
    else if (issue.code === "invalid_enum_value") {
      message = `must be one of ${issue.options.join(", ")} (got ${JSON.stringify(issue.received)})`;
    }
    out.push({ path: formatPath(issue.path), line: lineOf(doc, lc, issue.path), message });
  }
  out.sort((a, b) => a.line - b.line);
  return out;
}

/** Parses and validates config text; `file` names the source in error messages. */
export function parseConfig(text: string, file = "rampart.yaml"): RampartConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: "",
        line: lc.linePos(e.pos[0]).line,
        message: `YAML: ${e.message.split("\n")[0]}`,
      })),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = rampartConfigSchema.safeParse(data);
  if (!result.success) {
    // zod skips refinements of objects that failed, so cross references are checked on the raw data.
    const issues = issuesFromZod(doc, lc, result.error.issues);
    const have = new Set(issues.map((i) => `${i.path}\u0000${i.message}`));
    for (const x of crossReferenceIssues(data)) {
      const path = formatPath(x.path);
      if (!have.has(`${path}\u0000${x.message}`))
        issues.push({ path, line: lineOf(doc, lc, x.path), message: x.message });
    }
    issues.sort((a, b) => a.line - b.line);
    throw new ConfigError(file, issues);
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
