/** Built-in alert `error-spike`: the share of 5xx answers is high. */
import {
  changesBlock,
  code,
  header,
  limitsBlock,
  liveBlock,
  rollbackCommand,
  tightenCommand,
} from "./blocks.js";
import type { Runbook } from "./types.js";

export const errorSpike: Runbook = {
  name: "error-spike",
  title: "Server errors",
  when: "alert error-spike: more than 5 % of requests answered 5xx",
  render: (f) =>
    [
      header("Server errors", f),
      "## 1. What changed",
      changesBlock(f, 3),
      liveBlock(f),
      "A config change at the top: `rampart runbook config-related`, or roll back now:",
      code([rollbackCommand(f)]),
      "## 2. Overload or broken upstream?",
      "503 with shedding: the upstream is at its concurrency limit, tighten the busiest route. 502/504: the upstream fails or is slow: check it directly.",
      limitsBlock(f),
      code([tightenCommand(f)]),
    ].join("\n\n"),
};
