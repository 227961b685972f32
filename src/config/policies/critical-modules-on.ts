/**
 * critical-modules-on: every WAF module the control plane lists as critical (setting
 * `critical_modules`) stays on. This is the guardrail against seed/postmortem.md, where an update
 * silently switched critical modules off. Overridable by an admin with a reason (a drill, or a
 * module breaking checkout at 3 a.m.), and the reason is stored with the version.
 */
import { effectiveModules, moduleDescription } from "./facts.js";
import { registerPolicy } from "./registry.js";

export const criticalModulesOn = registerPolicy({
  name: "critical-modules-on",
  description: "critical WAF modules stay on",
  severity: "error",
  overridable: true,
  hint: "set the module back to on; only an admin can override, with a reason",
  check(next, ctx) {
    const modules = effectiveModules(next);
    return ctx.settings.criticalModules
      .filter((name) => modules[name] === "off")
      .map((name) => {
        const what = moduleDescription(name);
        return {
          path: `waf.modules.${name}`,
          message: `${name}${what === undefined ? "" : ` (${what})`} is a critical module and is turned off`,
        };
      });
  },
});
