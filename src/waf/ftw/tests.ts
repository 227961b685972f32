/**
 * go-ftw test files (schema: coreruleset/ftw-tests-schema v2): loading and the defaults go-ftw
 * applies to a stage's input (method GET, uri "/", version HTTP/1.1, autocomplete on).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { RampartError } from "../../errors.js";

export interface FtwInput {
  readonly destAddr: string;
  readonly port: number;
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  /** In file order; go-ftw sorts a header map by name before sending. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly data: string | undefined;
  readonly encodedRequest: string | undefined;
  readonly autocompleteHeaders: boolean;
}

export interface FtwOutput {
  readonly status?: number | readonly number[];
  readonly expectError?: boolean;
  readonly retryOnce?: boolean;
  readonly isolated?: boolean;
  readonly responseContains?: string;
  readonly log: {
    readonly expectIds: readonly number[];
    readonly noExpectIds: readonly number[];
    readonly matchRegex?: string;
    readonly noMatchRegex?: string;
  };
}

export interface FtwStage {
  readonly input: FtwInput;
  readonly output: FtwOutput;
}

export interface FtwTest {
  readonly file: string;
  readonly ruleId: number;
  readonly testId: number;
  readonly desc: string;
  readonly stages: readonly FtwStage[];
}

export class FtwError extends RampartError {}

/** Every *.yaml / *.yml file under `dir`, at any depth, sorted for a stable order. */
export function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function loadTestFile(file: string): FtwTest[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new FtwError("FTW_TEST_INVALID", `${file}: not valid YAML: ${(err as Error).message}`);
  }
  const root = asRecord(doc, file);
  const ruleId = Number(root.rule_id);
  const tests = Array.isArray(root.tests) ? root.tests : [];
  return tests.map((t, index) => {
    const test = asRecord(t, `${file} tests[${index}]`);
    const stagesRaw = Array.isArray(test.stages) ? test.stages : [];
    return {
      file,
      ruleId,
      testId: Number(test.test_id ?? index + 1),
      desc: typeof test.desc === "string" ? test.desc : "",
      stages: stagesRaw.map((s, i) => toStage(asRecord(s, `${file} tests[${index}].stages[${i}]`))),
    };
  });
}

function toStage(raw: Record<string, unknown>): FtwStage {
  // Old files nest the stage under `stage:`.
  const stage = raw.stage && typeof raw.stage === "object" ? (raw.stage as Record<string, unknown>) : raw;
  const input = (stage.input ?? {}) as Record<string, unknown>;
  const output = (stage.output ?? {}) as Record<string, unknown>;
  const log = (output.log ?? {}) as Record<string, unknown>;
  const headers: Array<[string, string]> = [];
  if (Array.isArray(input.ordered_headers)) {
    for (const h of input.ordered_headers as Array<Record<string, unknown>>)
      headers.push([String(h.name), String(h.value ?? "")]);
  } else if (input.headers && typeof input.headers === "object") {
    for (const [k, v] of Object.entries(input.headers as Record<string, unknown>))
      headers.push([k, v == null ? "" : String(v)]);
  }
  const ids = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : v == null ? [] : [Number(v)]);
  const status = output.status;
  return {
    input: {
      destAddr: typeof input.dest_addr === "string" ? input.dest_addr : "localhost",
      port: typeof input.port === "number" ? input.port : 80,
      method: typeof input.method === "string" ? input.method : "GET",
      uri: input.uri == null ? "/" : String(input.uri),
      version: typeof input.version === "string" ? input.version : "HTTP/1.1",
      headers,
      data: input.data == null ? undefined : String(input.data),
      encodedRequest: typeof input.encoded_request === "string" ? input.encoded_request : undefined,
      autocompleteHeaders: input.autocomplete_headers !== false,
    },
    output: {
      ...(typeof status === "number" || Array.isArray(status) ? { status: status as number | number[] } : {}),
      ...(output.expect_error === true ? { expectError: true } : {}),
      ...(output.retry_once === true ? { retryOnce: true } : {}),
      ...(output.isolated === true ? { isolated: true } : {}),
      ...(typeof output.response_contains === "string" ? { responseContains: output.response_contains } : {}),
      log: {
        expectIds: [...ids(log.expect_ids), ...ids(log.expect_id)],
        noExpectIds: [...ids(log.no_expect_ids), ...ids(log.no_expect_id)],
        ...(typeof log.match_regex === "string" ? { matchRegex: log.match_regex } : {}),
        ...(typeof log.no_match_regex === "string" ? { noMatchRegex: log.no_match_regex } : {}),
      },
    },
  };
}

function asRecord(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new FtwError("FTW_TEST_INVALID", `${where}: expected a mapping`);
  }
  return v as Record<string, unknown>;
}
