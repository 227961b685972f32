/** Response variables (phases 3 and 4). */
import { defineScalars, type VariableDefinition } from "./registry.js";

export const responseVariables: VariableDefinition[] = defineScalars({
  RESPONSE_STATUS: (d) => (d.responseStatus === undefined ? undefined : String(d.responseStatus)),
  RESPONSE_PROTOCOL: (d) => d.responseProtocol,
  RESPONSE_BODY: (d) => d.responseBody,
  STATUS_LINE: (d) =>
    d.responseStatus === undefined ? undefined : `${d.responseProtocol ?? "HTTP/1.1"} ${d.responseStatus}`,
});
