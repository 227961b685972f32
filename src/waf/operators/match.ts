/** @unconditionalMatch (always true, what SecAction runs) and @noMatch (never true). */
import type { Operator } from "../types.js";
import { registerOperator } from "./registry.js";

const always: Operator = { evaluate: () => true };
const never: Operator = { evaluate: () => false };

registerOperator("unconditionalMatch", () => always);
registerOperator("noMatch", () => never);
