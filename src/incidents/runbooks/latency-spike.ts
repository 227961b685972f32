/** Built-in alert `latency-spike`: p99 latency far above usual. */
import { changesBlock, code, header, limitsBlock, tightenCommand } from "./blocks.js";
import type { Runbook } from "./types.js";

export const latencySpike: Runbook = {
  name: "latency-spike",
  title: "Latency spike",
  when: "alert latency-spike: p99 latency far above the usual level",
  render: (f) =>
    [
      header("Latency spike", f),
      "Latency rises before errors do: the upstream is saturating, or requests queue at the gateway.",
      "## 1. What changed",
      changesBlock(f, 3),
      "## 2. Reduce the load on the upstream",
      limitsBlock(f),
      code([tightenCommand(f)]),
      "## 3. Check the upstream itself (database, dependencies); Rampart only sees the time it waits.",
    ].join("\n\n"),
};
