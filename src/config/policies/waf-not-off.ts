/**
 * waf-not-off: `waf.mode: off` is refused, with no override. Switching the whole WAF off is never
 * a config change the control plane stores; `detection-only` exists for tuning and keeps logging
 * attacks, so there is always a safer way to get what `off` was wanted for.
 */
import { registerPolicy } from "./registry.js";

export const wafNotOff = registerPolicy({
  name: "waf-not-off",
  description: "the WAF is never switched off",
  severity: "error",
  overridable: false,
  hint: "use waf.mode: detection-only to stop blocking while keeping detection and logs",
  check(next) {
    return next.waf.mode === "off" ? [{ path: "waf.mode", message: "the WAF is switched off" }] : [];
  },
});
