/** Built-in alert `traffic-drop`: requests far below the usual level. */
import { changesBlock, code, header, liveBlock, modulesBlock, rollbackCommand } from "./blocks.js";
import type { Runbook } from "./types.js";

export const trafficDrop: Runbook = {
  name: "traffic-drop",
  title: "Traffic drop",
  when: "alert traffic-drop: requests per second far below the usual level",
  render: (f) =>
    [
      header("Traffic drop", f),
      "A sudden drop usually means clients cannot reach the shop (DNS, TLS, a gateway down, a route that no longer matches) rather than that they stopped coming.",
      "## 1. Gateways",
      modulesBlock(f),
      code(["rampart fleet"]),
      "## 2. What changed",
      changesBlock(f, 3),
      liveBlock(f),
      "A route or upstream change at the top: roll it back.",
      code([rollbackCommand(f)]),
      "## 3. Outside Rampart",
      "Check DNS, certificates and the load balancer in front of the gateways.",
    ].join("\n\n"),
};
