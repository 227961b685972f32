/** Built-in alert `waf-block-spike`: many more requests blocked than usual. */
import { changesBlock, code, header, liveBlock, modulesBlock } from "./blocks.js";
import type { Runbook } from "./types.js";

export const wafBlockSpike: Runbook = {
  name: "waf-block-spike",
  title: "WAF blocks spike",
  when: "alert waf-block-spike: blocked requests per second far above usual",
  render: (f) =>
    [
      header("WAF blocks spike", f),
      "Either an attack (the WAF is doing its job) or a change that makes the WAF refuse legitimate traffic (false positives).",
      "## 1. A change that could cause false positives?",
      changesBlock(f, 3),
      liveBlock(f),
      modulesBlock(f),
      "## 2. Which rules block",
      code(["rampart events --since 15m", "rampart waf profile"]),
      "An attack: keep blocking; tighten the limits of the route under attack. False positives after a change: roll that change back (`rampart runbook config-related`), never switch the WAF off.",
    ].join("\n\n"),
};
