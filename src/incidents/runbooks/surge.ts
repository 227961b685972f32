/** Built-in alert `surge`: requests far above the usual level. */
import {
  changesBlock,
  code,
  header,
  limitsBlock,
  liveBlock,
  modulesBlock,
  tightenCommand,
} from "./blocks.js";
import type { Runbook } from "./types.js";

export const surge: Runbook = {
  name: "surge",
  title: "Traffic surge",
  when: "alert surge: requests per second far above the usual level",
  render: (f) =>
    [
      header("Traffic surge", f),
      "## 1. Rule out a config change first",
      "A surge the shop used to absorb becomes an outage when a guard was switched off just before it.",
      changesBlock(f, 3),
      liveBlock(f),
      modulesBlock(f),
      "If the top entry is a security-relevant config change: `rampart runbook config-related`.",
      "## 2. Protect the shop",
      "Current limits:",
      limitsBlock(f),
      "Halve the rate of the busiest route (a new config version, through the policies and the rollout):",
      code([tightenCommand(f)]),
      "## 3. Watch",
      "Shedding and rate limiting should rise while errors fall; checkout keeps priority.",
      code(["rampart events --since 15m", "rampart fleet"]),
    ].join("\n\n"),
};
