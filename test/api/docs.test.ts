/**
 * The reference documentation matches the code:
 * - every operation of the OpenAPI document (built from the routes themselves) has a heading in
 *   docs/api.md, `### \`METHOD /api/v1/path/:param\` (role)`, naming the role the route needs, and
 *   its section names each query parameter and body field of the route's schema; and every such
 *   heading names an operation that exists;
 * - every command `rampart --help` lists (sub-commands included) has a row in the README's
 *   "Command reference" table, with the flags its `--help` shows; and every command the table names
 *   exists.
 *
 * When this fails after adding a route: add a `### \`METHOD /api/v1/...\` (role)` section to
 * docs/api.md (path parameters as `:name`, the role as in the route's `config.role`, "no token" for
 * public routes) saying what the route takes, answers and refuses; after adding a query parameter
 * or a body field, name it in its route's section. After adding a command or a flag:
 * add it to the README's "Command reference" table, e.g. `rampart thing do ID [--flag X]`. The
 * options every API client command has (--control, --token, --data) and --json are described once,
 * above the table, and not checked per row.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { startTestControlPlane, type TestControlPlane } from "./harness.js";

const ROOT = new URL("../../", import.meta.url);
const API_DOC = readFileSync(new URL("docs/api.md", ROOT), "utf8");
const README = readFileSync(new URL("README.md", ROOT), "utf8");

// ---- docs/api.md ----

interface Heading {
  readonly method: string;
  readonly path: string;
  /** The parenthesis after the route: "viewer, gateway", "operator; overrides: admin", "no token". */
  readonly roles: string;
  readonly line: number;
  /** The heading and the text under it, up to the next heading. */
  readonly section: string;
}

const HEADING = /^#{2,4} `(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[^`?\s]*)(?:\?[^`]*)?`\s*(?:\(([^)]*)\))?/;

/** The route headings of an API document, in order. */
function routeHeadings(markdown: string): Heading[] {
  const lines = markdown.split("\n");
  const out: Heading[] = [];
  lines.forEach((text, i) => {
    const m = HEADING.exec(text);
    if (m === null) return;
    const next = lines.findIndex((l, j) => j > i && l.startsWith("#"));
    const section = lines.slice(i, next < 0 ? undefined : next).join("\n");
    out.push({ method: m[1]!, path: m[2]!, roles: m[3] ?? "", line: i + 1, section });
  });
  return out;
}

/** Whether `name` is written in `text` as a word of its own (`as` in "as?", not in "has"). */
function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`).test(text);
}

/** OpenAPI's `{id}` as the documentation writes it: `:id`. */
function colonPath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ":$1");
}

interface OpenApiOperation {
  readonly "x-rampart-role": string;
  readonly parameters: readonly { readonly name: string; readonly in: string }[];
  readonly requestBody?: {
    readonly content: { "application/json": { schema: { properties?: Record<string, unknown> } } };
  };
}

// ---- README command reference ----

/** The Command reference section: from its heading to the next `## `. */
function commandReference(markdown: string): string {
  const start = markdown.indexOf("\n## Command reference");
  if (start < 0) throw new Error('README.md has no "## Command reference" section');
  const next = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

interface ReferenceRow {
  /** Command paths the row names, e.g. "config apply", "silence list". */
  readonly commands: readonly string[];
  /** Flags written in the row's first cell: "--limit", "-m". */
  readonly flags: ReadonlySet<string>;
  readonly text: string;
}

const COMMAND_WORD = /^[a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*$/;

/**
 * The command paths a code span names: `rampart config history|show [V]` names "config",
 * "config history" and "config show". Words after `rampart` count while they look like command
 * names (lower case, `a|b` for alternatives); an argument (`ID`, `[NAME]`) or a flag ends them.
 */
function commandPaths(span: string): string[] {
  const words = span.trim().split(/\s+/);
  if (words[0] !== "rampart") return [];
  let paths: string[][] = [[]];
  for (const word of words.slice(1)) {
    if (!COMMAND_WORD.test(word)) break;
    paths = paths.flatMap((p) => word.split("|").map((alt) => [...p, alt]));
  }
  const all = new Set<string>();
  for (const p of paths) for (let n = 1; n <= p.length; n++) all.add(p.slice(0, n).join(" "));
  return [...all];
}

/** The rows of the table, reading only their first cell (`\|` inside code stays one cell). */
function referenceRows(section: string): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const line of section.split("\n")) {
    if (!line.startsWith("|")) continue;
    const first = (line.split(/(?<!\\)\|/)[1] ?? "").replaceAll("\\|", "|");
    const spans = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const commands = spans.flatMap(commandPaths);
    if (commands.length === 0) continue;
    const flags = new Set([...first.matchAll(/(?<![\w-])(--?[a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!));
    rows.push({ commands, flags, text: line });
  }
  return rows;
}

interface CliCommand {
  readonly path: string;
  /** Each option as its long flag, or its short one when it has none. */
  readonly flags: readonly { long?: string; short?: string }[];
}

/** Every command without sub-commands (what a user runs), with the flags its --help lists. */
function leafCommands(program: Command): CliCommand[] {
  const out: CliCommand[] = [];
  const walk = (c: Command, prefix: string[]) => {
    for (const sub of c.commands) {
      const path = [...prefix, sub.name()];
      if (sub.commands.length > 0) walk(sub, path);
      else
        out.push({
          path: path.join(" "),
          flags: sub.options.map((o) => ({
            ...(o.long === undefined ? {} : { long: o.long }),
            ...(o.short === undefined ? {} : { short: o.short }),
          })),
        });
    }
  };
  walk(program, []);
  return out;
}

/** All command paths, groups included ("config", "config apply"). */
function allCommandPaths(program: Command): Set<string> {
  const out = new Set<string>();
  const walk = (c: Command, prefix: string[]) => {
    for (const sub of c.commands) {
      const path = [...prefix, sub.name()];
      out.add(path.join(" "));
      walk(sub, path);
    }
  };
  walk(program, []);
  return out;
}

/** The options of every API client command (src/api/client.ts withClientOptions), described once. */
const CLIENT_FLAGS = ["--control", "--token", "--data"];

function checkedFlags(cmd: CliCommand): { long?: string; short?: string }[] {
  const longs = new Set(cmd.flags.map((f) => f.long));
  const isClient = CLIENT_FLAGS.every((f) => longs.has(f));
  return cmd.flags.filter(
    (f) => f.long !== "--json" && !(isClient && f.long !== undefined && CLIENT_FLAGS.includes(f.long)),
  );
}

// ---- the checks ----

describe("the parsers of this test", () => {
  it("reads command paths from a code span", () => {
    expect(commandPaths("rampart config history|show [V] --limit N")).toEqual([
      "config",
      "config history",
      "config show",
    ]);
    expect(commandPaths("rampart silence expire ID")).toEqual(["silence", "silence expire"]);
    expect(commandPaths("rampart top [--once]")).toEqual(["top"]);
    expect(commandPaths("npx rampart up")).toEqual([]);
  });

  it("reads rows, their commands and flags, with \\| kept inside a cell", () => {
    const rows = referenceRows(
      [
        "| command | what it does |",
        "|---|---|",
        "| `rampart reload [--admin URL \\| -c FILE]` | re-read |",
        "| `rampart incident ack\\|resolve ID [-m NOTE]` | steps --not-this |",
      ].join("\n"),
    );
    expect(rows.map((r) => r.commands)).toEqual([
      ["reload"],
      ["incident", "incident ack", "incident resolve"],
    ]);
    expect([...rows[0]!.flags]).toEqual(["--admin", "-c"]);
    expect([...rows[1]!.flags]).toEqual(["-m"]);
  });

  it("reads route headings with their roles, query strings ignored", () => {
    const h = routeHeadings(
      "## Routes\n### `GET /api/v1/config/versions/:id` (viewer, gateway)\ntext\n### `GET /api/v1/events?since=ISO` (viewer)\n",
    );
    expect(h.map(({ section, ...rest }) => rest)).toEqual([
      { method: "GET", path: "/api/v1/config/versions/:id", roles: "viewer, gateway", line: 2 },
      { method: "GET", path: "/api/v1/events", roles: "viewer", line: 4 },
    ]);
    expect(h[0]!.section).toBe("### `GET /api/v1/config/versions/:id` (viewer, gateway)\ntext");
    expect(mentions("Body `{ note?, as? }`", "as")).toBe(true);
    expect(mentions("what it has", "as")).toBe(false);
    expect(mentions("`wait=S`", "wait")).toBe(true);
    expect(mentions("`waitS`", "wait")).toBe(false);
  });
});

describe("docs/api.md documents every route of the API", () => {
  let t: TestControlPlane;
  let operations: { method: string; path: string; role: string; fields: string[] }[];
  beforeAll(async () => {
    t = await startTestControlPlane();
    const doc = (await t.call("GET", "/openapi.json", { token: null })).body as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: colonPath(path),
        role: op["x-rampart-role"],
        fields: [
          ...op.parameters.filter((p) => p.in === "query").map((p) => p.name),
          ...Object.keys(op.requestBody?.content["application/json"].schema.properties ?? {}),
        ],
      })),
    );
  });
  afterAll(() => t.close());

  const headings = routeHeadings(API_DOC);

  it("has one heading per operation of the OpenAPI document, naming its role", () => {
    // The API has grown past the first three groups; a near-empty document would pass trivially.
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const problems: string[] = [];
    for (const op of operations) {
      const found = headings.filter((h) => h.method === op.method && h.path === op.path);
      const name = `${op.method} ${op.path}`;
      if (found.length === 0) problems.push(`${name}: no "### \`${name}\` (${op.role})" heading`);
      else if (found.length > 1)
        problems.push(`${name}: ${found.length} headings (lines ${found.map((h) => h.line)})`);
      else {
        const roleWord = op.role === "none" ? "no token" : op.role;
        if (!found[0]!.roles.includes(roleWord))
          problems.push(
            `${name} (line ${found[0]!.line}): the heading says (${found[0]!.roles}), the route needs ${roleWord}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it("names every query parameter and body field of each route in its section", () => {
    const problems: string[] = [];
    for (const op of operations) {
      const h = headings.find((x) => x.method === op.method && x.path === op.path);
      if (h === undefined) continue; // reported above
      for (const field of op.fields)
        if (!mentions(h.section, field)) problems.push(`${op.method} ${op.path} (line ${h.line}): ${field}`);
    }
    expect(problems).toEqual([]);
  });

  it("documents no route that does not exist", () => {
    const real = new Set(operations.map((o) => `${o.method} ${o.path}`));
    const stale = headings
      .filter((h) => !real.has(`${h.method} ${h.path}`))
      .map((h) => `line ${h.line}: ${h.method} ${h.path}`);
    expect(stale).toEqual([]);
  });
});

describe("the README's command reference lists every command of rampart --help", () => {
  const program = buildProgram();
  const leaves = leafCommands(program);
  const rows = referenceRows(commandReference(README));

  it("has a row naming each command, with the flags --help shows", () => {
    expect(leaves.length).toBeGreaterThanOrEqual(40);
    const problems: string[] = [];
    for (const cmd of leaves) {
      const named = rows.filter((r) => r.commands.includes(cmd.path));
      if (named.length === 0) {
        problems.push(`rampart ${cmd.path}: no row`);
        continue;
      }
      const written = new Set(named.flatMap((r) => [...r.flags]));
      for (const f of checkedFlags(cmd)) {
        const shown =
          (f.long !== undefined && written.has(f.long)) || (f.short !== undefined && written.has(f.short));
        if (!shown) problems.push(`rampart ${cmd.path}: ${f.long ?? f.short} is not in its row`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("names no command that does not exist", () => {
    const real = allCommandPaths(program);
    const unknown = rows.flatMap((r) => r.commands.filter((c) => !real.has(c)).map((c) => `rampart ${c}`));
    expect(unknown).toEqual([]);
  });
});
