/**
 * Operators Rampart recognises but does not implement. Each factory throws at rule load with a clear
 * message, so a rule that depends on one is never silently a no-op.
 */
import type { OperatorInit } from "../types.js";
import { paramError } from "./param.js";
import { registerOperator } from "./registry.js";

const WHY: Record<string, string> = {
  validateDTD: "XML DTD validation needs an XML validator",
  validateSchema: "XML Schema validation needs an XML validator",
  rbl: "DNS block lists would put a DNS lookup on the request path",
  geoLookup: "no GeoIP database is bundled",
  gsbLookup: "Google Safe Browsing lookups are deprecated",
  inspectFile: "running external programs per request is not allowed",
  fuzzyHash: "ssdeep fuzzy hashing is not bundled",
  rsub: "@rsub is a ModSecurity v2 stream-editing operator",
  validateHash: "@validateHash is a ModSecurity v2 HMAC operator",
};

for (const [name, why] of Object.entries(WHY)) {
  registerOperator(name, (init: OperatorInit) => {
    throw paramError(init, name, `not supported by Rampart (${why}); remove the rule or replace it`);
  });
}
