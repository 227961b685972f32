/** Markdown blocks that several runbooks share: live version, last changes, modules live, commands. */
import { formatChange } from "../../changes/what-changed.js";
import type { RunbookFacts } from "./types.js";

export function code(lines: readonly string[]): string {
  return ["```sh", ...lines, "```"].join("\n");
}

export function liveBlock(f: RunbookFacts): string {
  if (f.live === undefined) return "- Live config: none applied yet (`rampart config apply FILE -m MSG`).";
  const l = f.live;
  return [
    `- Live config: **v${l.version}** (${l.kind}) by ${l.author} at ${l.createdAt}: ${JSON.stringify(l.message)}`,
    `- WAF mode in v${l.version}: ${l.wafMode}; modules off: ${l.modulesOff.length === 0 ? "none" : l.modulesOff.join(", ")}`,
    `- Modules the policy requires on: ${f.criticalModules.length === 0 ? "none set" : f.criticalModules.join(", ")}`,
  ].join("\n");
}

export function changesBlock(f: RunbookFacts, max = 5): string {
  if (f.changes.length === 0)
    return "No change recorded in the window: look at traffic and the upstream first.";
  return f.changes
    .slice(0, max)
    .map(
      (c, i) =>
        `${i + 1}. ${formatChange(c)}${c.diff !== undefined && c.diff.length > 0 ? `\n   - ${c.diff.slice(0, 4).join("\n   - ")}` : ""}`,
    )
    .join("\n");
}

/** Per gateway: what it runs, and which required modules are off there (attested, not assumed). */
export function modulesBlock(f: RunbookFacts): string {
  if (f.gateways.length === 0) return "No gateway has attested yet (`rampart fleet` lists them).";
  const rows = f.gateways.map((g) => {
    const missing = f.criticalModules.filter((m) => g.modulesOff.includes(m));
    const verdict =
      g.wafMode !== null && g.wafMode !== "blocking"
        ? `WAF ${g.wafMode}`
        : missing.length > 0
          ? `required modules OFF: ${missing.join(", ")}`
          : "matches policy";
    return `| ${g.id} | ${g.state} | ${g.runningVersion === null ? "-" : `v${g.runningVersion}`} | ${g.wafMode ?? "-"} | ${g.modulesOff.length === 0 ? "none" : g.modulesOff.join(", ")} | ${verdict} |`;
  });
  return [
    "| gateway | state | runs | WAF mode | modules off | against policy |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function rollbackCommand(f: RunbookFacts): string {
  const target = f.rollbackTo;
  return target === undefined
    ? 'rampart config rollback -m "incident: roll back"'
    : `rampart config rollback ${target} -m "incident${f.incidentId === undefined ? "" : ` #${f.incidentId}`}: back to v${target}"`;
}

export function tightenCommand(f: RunbookFacts, route = f.route ?? f.routes[0]?.name ?? "ROUTE"): string {
  return `rampart limits tighten ${route} --factor 2 -m "incident${f.incidentId === undefined ? "" : ` #${f.incidentId}`}: tighten ${route}"`;
}

/** A request every CRS-based WAF in blocking mode refuses (SQL injection in a query argument). */
export function probeCommand(f: RunbookFacts): string {
  const g = f.gateways.find((x) => x.listen !== null);
  const base = g?.listen === null || g === undefined ? "http://GATEWAY:8080" : `http://${g.listen}`;
  return `curl -s -o /dev/null -w '%{http_code}\\n' "${base}/?id=1%27%20OR%20%271%27=%271"   # expect 403`;
}

export function limitsBlock(f: RunbookFacts): string {
  const routes = f.route === undefined ? f.routes : f.routes.filter((r) => r.name === f.route);
  if (routes.length === 0)
    return f.route === undefined
      ? "No routes in the live config."
      : `No route ${f.route} in the live config.`;
  return routes
    .map(
      (r) => `- ${r.name} (${r.priority}): ${r.limits.length === 0 ? "no rate limit" : r.limits.join("; ")}`,
    )
    .join("\n");
}

export function header(title: string, f: RunbookFacts): string {
  const about = [
    f.incidentId === undefined ? "" : `incident #${f.incidentId}`,
    f.route === undefined ? "" : `route ${f.route}`,
  ]
    .filter((x) => x !== "")
    .join(", ");
  return `# Runbook: ${title}\n\n_Live values read at ${f.generatedAt}${about === "" ? "" : ` for ${about}`}._`;
}
