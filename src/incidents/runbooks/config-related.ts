/** The runbook the postmortem's outage needed (seed/postmortem.md, Task 5): a config change first. */
import {
  changesBlock,
  code,
  header,
  liveBlock,
  modulesBlock,
  probeCommand,
  rollbackCommand,
} from "./blocks.js";
import type { Runbook } from "./types.js";

export const configRelated: Runbook = {
  name: "config-related",
  title: "Config-related incident",
  when: "errors, a surge or a traffic drop shortly after a config change, or any incident whose top 'what changed' entry is a config version",
  render: (f) =>
    [
      header("Config-related incident", f),
      "## 1. Check what changed (before anything else)",
      "Most likely cause first. A security-relevant change (a WAF module off, the engine out of blocking, a limit loosened, a policy overridden) at the top is the lead to follow; do not start on a DDoS theory before ruling it out.",
      changesBlock(f),
      liveBlock(f),
      "## 2. Compare the fleet's attested modules with the policy",
      "What the gateways say they run, not what the config says:",
      modulesBlock(f),
      code(["rampart fleet", "rampart config diff A B     # the suspect version against the one before it"]),
      "## 3. Roll back",
      "A rollback appends a new version equal to the old one and goes through the same policies and rollout.",
      code([rollbackCommand(f)]),
      "## 4. Confirm the WAF blocks with a probe",
      "Every gateway should answer 403 to an obvious attack once the rollback is live (`rampart fleet` shows the version each runs).",
      code([probeCommand(f)]),
      "## 5. Then look further",
      [
        "- Traffic still above normal after the rollback: `rampart runbook surge`.",
        "- Errors still high: `rampart runbook error-spike`.",
        `- Record what you did: \`rampart incident note ${f.incidentId ?? "ID"} "..."\`, then \`rampart incident mitigate ${f.incidentId ?? "ID"}\`.`,
      ].join("\n"),
    ].join("\n\n"),
};
