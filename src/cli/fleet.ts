/**
 * `rampart fleet`: the gateways of a control plane as a table — id, tags, version assigned vs
 * running, WAF mode, modules off, last seen, state (ok | drift | stale | unreachable) — with the
 * drift reasons under the table. `--json` prints the API's answer (GET /api/v1/fleet).
 */
import type { Command } from "commander";
import {
  type CommonOptions,
  clientFrom,
  formatTable,
  reportError,
  withClientOptions,
} from "../api/client.js";
import type { GatewaySummary } from "../control/fleet.js";
import { ExitCode } from "../errors.js";

interface FleetAnswer {
  gateways: GatewaySummary[];
  rollout: { stable?: number; active?: { version: number; phase: string; strategy: string } };
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

/** The table people read; exported for tests. */
export function formatFleet(answer: FleetAnswer, now: number = Date.now()): string {
  const rows = answer.gateways.map((g) => [
    g.id,
    g.tags.join(",") || "-",
    `${g.assignedVersion ?? "-"}/${g.runningVersion ?? "-"}`,
    g.wafMode ?? "-",
    g.modulesOff.join(",") || "-",
    ago(g.lastSeen, now),
    g.state,
  ]);
  const lines = [
    formatTable(
      ["ID", "TAGS", "VERSION (assigned/running)", "WAF", "MODULES OFF", "LAST SEEN", "STATE"],
      rows,
    ),
  ];
  for (const g of answer.gateways) for (const d of g.drift) lines.push(`  ${g.id}: ${d}`);
  const r = answer.rollout;
  if (r.active !== undefined) {
    lines.push(
      `rollout of version ${r.active.version} in progress (${r.active.strategy}, ${r.active.phase} phase)`,
    );
  }
  if (answer.gateways.length === 0) lines.push("no gateway has called this control plane yet");
  return lines.join("\n");
}

async function runFleet(opts: CommonOptions): Promise<void> {
  const answer = await clientFrom(opts).call<FleetAnswer>("GET", "/fleet");
  if (answer.status !== 200) {
    process.exitCode = reportError(answer, opts.json);
    return;
  }
  console.log(opts.json === true ? JSON.stringify(answer.body) : formatFleet(answer.body));
  const bad = answer.body.gateways.some((g) => g.state !== "ok");
  process.exitCode = bad ? ExitCode.failure : ExitCode.ok;
}

export function registerFleet(program: Command): void {
  withClientOptions(
    program
      .command("fleet")
      .description("List the gateways of the control plane: versions, WAF mode, modules off, drift."),
  )
    .addHelpText(
      "after",
      "\nExit codes: 0 every gateway ok, 1 one is drifting, stale or unreachable (or an error).",
    )
    .action(runFleet);
}
