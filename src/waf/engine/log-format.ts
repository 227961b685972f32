/**
 * Log formats: the error-log line ModSecurity v3 writes for a matched rule (src/rule_message.cc
 * RuleMessage::log and _details; the match text from Operator::resolveMatchMessage) and a JSON
 * audit record of a transaction.
 */
import type { ByteString } from "../types.js";
import type { MatchedRule, Transaction } from "./transaction.js";

/** v3's utils::string::limitTo. */
function limitTo(n: number, s: string): string {
  return s.length > n ? s.slice(0, n) : s;
}

/** v3's toHexIfNeeded: bytes outside printable ASCII become \xHH so a line stays one line. */
export function toHexIfNeeded(s: ByteString): string {
  if (!/[\x00-\x1f\x7f-\xff]/.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c < 0x20 || c > 0x7e ? `\\x${c.toString(16).padStart(2, "0")}` : s[i];
  }
  return out;
}

/** v3 names operators by class (Rx, PmFromFile, StrEq); the first letter capitalised, a few renamed. */
const OPERATOR_NAMES: Record<string, string> = {
  streq: "StrEq",
  detectsqli: "DetectSQLi",
  detectxss: "DetectXSS",
  ipmatch: "IpMatch",
  ipmatchfromfile: "IpMatchFromFile",
  pmfromfile: "PmFromFile",
};

export function operatorLogName(name: string): string {
  return OPERATOR_NAMES[name.toLowerCase()] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/** The `Matched "Operator ..."` part, from the last value the chain matched. */
function matchText(m: MatchedRule): string {
  const last = m.matches[m.matches.length - 1];
  if (last === undefined) return m.id === 0 ? "Engine limit reached." : "Unconditional match in SecAction.";
  return (
    `Matched "Operator \`${operatorLogName(last.operator)}' with parameter \`${limitTo(200, last.operatorParam)}' ` +
    `against variable \`${last.variable}' (Value: \`${limitTo(100, toHexIfNeeded(last.value))}' )`
  );
}

/** One error-log line for a matched rule, in ModSecurity v3's format. */
export function errorLogLine(tx: Transaction, m: MatchedRule): string {
  const head =
    m.enforced && m.status !== undefined && m.disruptive !== "allow"
      ? `ModSecurity: Access denied with code ${m.status} (phase ${m.phase}). `
      : "ModSecurity: Warning. ";
  let s = head + matchText(m);
  s += ` [file "${m.file}"] [line "${m.line}"] [id "${m.id}"] [rev "${m.rev}"]`;
  s += ` [msg "${m.msg}"] [data "${limitTo(200, m.logdata)}"] [severity "${m.severity ?? 0}"]`;
  s += ` [ver "${m.ver}"] [maturity "${m.maturity}"] [accuracy "${m.accuracy}"]`;
  for (const t of m.tags) s += ` [tag "${t}"]`;
  s += ` [hostname "${tx.data.req.serverAddr ?? ""}"] [uri "${limitTo(200, tx.data.requestFilename)}"]`;
  s += ` [unique_id "${tx.id}"] [ref ""]`;
  return toHexIfNeeded(s);
}

export interface AuditRecord {
  readonly transaction: {
    readonly id: string;
    readonly time: string;
    readonly client: { readonly ip: string; readonly port: number };
    readonly server: { readonly ip: string; readonly port: number };
  };
  readonly request: {
    readonly line: string;
    readonly method: string;
    readonly uri: string;
    readonly protocol: string;
  };
  readonly response: { readonly status: number | undefined };
  readonly mode: string;
  /** What the engine did (On) or would have done (DetectionOnly); undefined when it let the request through. */
  readonly action:
    | {
        readonly action: string;
        readonly status: number;
        readonly ruleId: number;
        readonly url?: string;
        readonly enforced: boolean;
      }
    | undefined;
  readonly anomalyScores: { readonly inbound: number; readonly outbound: number };
  readonly messages: ReadonlyArray<{
    readonly id: number;
    readonly phase: number;
    readonly msg: string;
    readonly data: string;
    readonly severity: number | undefined;
    readonly tags: readonly string[];
    readonly ver: string;
    readonly disruptive: string;
    readonly matches: ReadonlyArray<{ readonly variable: string; readonly value: string }>;
  }>;
  readonly producer: { readonly components: readonly string[] };
  /** Engine errors of the transaction (time budget, a value a pattern saw only part of, a rule that threw). */
  readonly engineErrors?: ReadonlyArray<{
    readonly ruleId: number;
    readonly code: string;
    readonly message: string;
  }>;
}

/** A JSON-ready audit record (values passed through toHexIfNeeded so the record is valid text). */
export function auditRecord(tx: Transaction): AuditRecord {
  const req = tx.data.req;
  const enforced = tx.intervention;
  const it = enforced ?? tx.detectedIntervention;
  return {
    transaction: {
      id: tx.id,
      time: new Date(tx.data.startedAt).toISOString(),
      client: { ip: req.remoteAddr, port: req.remotePort },
      server: { ip: req.serverAddr ?? "", port: req.serverPort },
    },
    request: {
      line: toHexIfNeeded(`${req.method} ${req.uri} ${req.protocol}`),
      method: toHexIfNeeded(req.method),
      uri: toHexIfNeeded(req.uri),
      protocol: toHexIfNeeded(req.protocol),
    },
    response: { status: tx.data.responseStatus },
    mode: tx.mode,
    action:
      it === undefined
        ? undefined
        : {
            action: it.action,
            status: it.status,
            ruleId: it.ruleId,
            ...(it.url === undefined ? {} : { url: it.url }),
            enforced: enforced !== undefined,
          },
    anomalyScores: tx.anomalyScores,
    messages: tx.matchedRules
      .filter((m) => m.auditlog)
      .map((m) => ({
        id: m.id,
        phase: m.phase,
        msg: toHexIfNeeded(m.msg),
        data: toHexIfNeeded(m.logdata),
        severity: m.severity,
        tags: m.tags,
        ver: m.ver,
        disruptive: m.disruptive,
        matches: m.matches.map((x) => ({
          variable: toHexIfNeeded(x.variable),
          value: toHexIfNeeded(limitTo(1024, x.value)),
        })),
      })),
    producer: { components: tx.ruleSet.settings.componentSignatures },
    ...(tx.errors.length === 0
      ? {}
      : {
          engineErrors: tx.errors.map((e) => ({
            ruleId: e.ruleId,
            code:
              (e.error as { code?: unknown }).code === undefined
                ? "ERROR"
                : String((e.error as { code: unknown }).code),
            message: toHexIfNeeded(e.error instanceof Error ? e.error.message : String(e.error)),
          })),
        }),
  };
}
