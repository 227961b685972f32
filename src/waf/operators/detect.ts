/**
 * @detectSQLi and @detectXSS over Rampart's libinjection-class detectors (src/waf/detect/), as
 * ModSecurity v3 wraps libinjection (src/operators/detect_sqli.cc, detect_xss.cc): no parameter;
 * with `capture`, @detectSQLi puts the fingerprint in TX.0.
 */
import { detectSqli, detectXss } from "../detect/index.js";
import type { ByteString, Operator, OperatorContext } from "../types.js";
import { registerOperator } from "./registry.js";

const sqli: Operator = {
  evaluate(input: ByteString, ctx: OperatorContext): boolean {
    const r = detectSqli(input);
    if (r.match && ctx.captures !== undefined) ctx.captures[0] = r.fingerprint;
    return r.match;
  },
};

const xss: Operator = { evaluate: (input: ByteString) => detectXss(input) };

registerOperator("detectSQLi", () => sqli);
registerOperator("detectXSS", () => xss);
