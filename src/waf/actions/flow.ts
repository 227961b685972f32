/** Flow actions: skip and skipAfter (the jump target is resolved by index when the set is finalised). */
import { WafError } from "../errors.js";
import { requireParam } from "./meta.js";
import type { ActionDefinition } from "./types.js";

export const flowActions: ActionDefinition[] = [
  {
    name: "skip",
    allowedInChain: false,
    apply: (r, a, ctx) => {
      const text = requireParam(a, ctx.loc).trim();
      if (!/^[1-9]\d*$/.test(text))
        throw new WafError("WAF_ACTION_PARAM", `skip expects a positive integer, got "${text}"`, ctx.loc);
      r.skip = Number(text);
    },
  },
  {
    name: "skipafter",
    allowedInChain: false,
    apply: (r, a, ctx) => {
      r.skipAfter = requireParam(a, ctx.loc).trim();
    },
  },
];
