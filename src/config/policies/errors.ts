/** Errors of config policies: a version refused by a guardrail, with the verdicts that refused it. */
import { RampartError } from "../../errors.js";
import type { PolicyVerdict } from "./types.js";

export class PolicyRefusedError extends RampartError {
  declare readonly code: "CONFIG_POLICY_REFUSED";
  readonly verdicts: readonly PolicyVerdict[];
  readonly refusedOverrides: readonly string[];

  constructor(blocking: readonly PolicyVerdict[], refusedOverrides: readonly string[] = []) {
    const lines = blocking.map((v) => `  ${v.policy} ${v.path}: ${v.message}`);
    const overridable = blocking.filter((v) => v.overridable).map((v) => v.policy);
    super(
      "CONFIG_POLICY_REFUSED",
      `refused by ${blocking.length} polic${blocking.length === 1 ? "y" : "ies"}:\n${[...lines, ...refusedOverrides.map((r) => `  override refused: ${r}`)].join("\n")}`,
      {
        hint:
          overridable.length === blocking.length && blocking.length > 0
            ? `fix the config, or as an admin: ${[...new Set(overridable)].map((p) => `--override ${p}`).join(" ")} --reason "..."`
            : "fix the config: at least one of these policies cannot be overridden",
      },
    );
    this.verdicts = blocking;
    this.refusedOverrides = refusedOverrides;
  }
}
