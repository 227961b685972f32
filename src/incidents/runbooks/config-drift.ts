/** Built-in alert `config-drift`: a gateway does not run what it was assigned. */
import { code, header, liveBlock, modulesBlock } from "./blocks.js";
import type { Runbook } from "./types.js";

export const configDrift: Runbook = {
  name: "config-drift",
  title: "Config drift",
  when: "alert config-drift: a gateway attests another version, mode or module set than assigned",
  render: (f) =>
    [
      header("Config drift", f),
      "A gateway that runs something else than the control plane assigned is the silent failure of the postmortem's outage: treat a module off as an incident.",
      "## 1. Which gateway, what differs",
      liveBlock(f),
      modulesBlock(f),
      code(["rampart fleet", "rampart events --kind drift --since 1h"]),
      "## 2. Bring it back",
      "Reload the gateway (it fetches its assigned version); if it refuses the version, its log says why. A gateway edited by hand: restore its config from the control plane and find out who changed it.",
    ].join("\n\n"),
};
