/** Built-in alert `rate-limit-storm`: many requests limited or shed. */
import { changesBlock, code, header, limitsBlock, rollbackCommand } from "./blocks.js";
import type { Runbook } from "./types.js";

export const rateLimitStorm: Runbook = {
  name: "rate-limit-storm",
  title: "Rate-limit storm",
  when: "alert rate-limit-storm: requests limited or shed far above usual",
  render: (f) =>
    [
      header("Rate-limit storm", f),
      "The limits protect the shop; the question is whether they hit abusers or customers.",
      "## 1. Limits now",
      limitsBlock(f),
      "## 2. A limit tightened by mistake?",
      changesBlock(f, 3),
      code([rollbackCommand(f)]),
      "## 3. Many clients or few?",
      "Few clients: they are abusing, keep the limits. Many clients: legitimate demand; raise capacity rather than loosen the guard (loosening is refused by policy without an admin override).",
      code(["rampart events --since 15m"]),
    ].join("\n\n"),
};
