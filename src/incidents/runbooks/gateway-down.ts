/** Built-in alert `gateway-down`: a gateway stopped attesting. */
import { code, header, modulesBlock } from "./blocks.js";
import type { Runbook } from "./types.js";

export const gatewayDown: Runbook = {
  name: "gateway-down",
  title: "Gateway down",
  when: "alert gateway-down: a gateway stopped reporting to the control plane",
  render: (f) =>
    [
      header("Gateway down", f),
      "## 1. Down, or only cut off from the control plane?",
      "A gateway that loses the control plane keeps serving with its last good config; clients may be fine.",
      modulesBlock(f),
      code(["rampart fleet", "curl -s http://GATEWAY_ADMIN:9901/healthz"]),
      "## 2. Restart it if it is down",
      "It fetches its assigned version when it starts; `rampart fleet` shows it again within one attestation period.",
    ].join("\n\n"),
};
