/** Request-line variables: REQUEST_URI, REQUEST_FILENAME, QUERY_STRING, REQUEST_LINE, ... */
import { defineScalars, type VariableDefinition } from "./registry.js";
import { basename, percentDecode } from "./request-parsing.js";

export const requestVariables: VariableDefinition[] = defineScalars({
  REQUEST_METHOD: (d) => d.req.method,
  REQUEST_PROTOCOL: (d) => d.req.protocol,
  /** v3 decodes the relative URI (scheme and authority of an absolute target removed). */
  REQUEST_URI: (d) => percentDecode(d.parsedTarget.relative, false),
  REQUEST_URI_RAW: (d) => d.req.uri,
  REQUEST_LINE: (d) => `${d.req.method} ${d.req.uri} ${d.req.protocol}`,
  REQUEST_FILENAME: (d) => d.requestFilename,
  REQUEST_BASENAME: (d) => basename(d.requestFilename),
  QUERY_STRING: (d) => d.parsedTarget.query,
  /** No CGI here: the whole path is the script, so there is no extra path info. */
  PATH_INFO: () => "",
  /** The scheme of the Authorization header, as the server would report it. */
  AUTH_TYPE: (d) => {
    const h = d.requestHeaders.first("authorization");
    if (h === undefined) return undefined;
    const sp = h.value.indexOf(" ");
    return sp === -1 ? h.value : h.value.slice(0, sp);
  },
  FULL_REQUEST: (d) => {
    let out = `${d.req.method} ${d.req.uri} ${d.req.protocol}\n`;
    for (const [k, v] of d.req.headers) out += `${k}: ${v}\n`;
    return `${out}\n${d.requestBody ?? ""}`;
  },
  FULL_REQUEST_LENGTH: (d) => {
    let n = d.req.method.length + d.req.uri.length + d.req.protocol.length + 3;
    for (const [k, v] of d.req.headers) n += k.length + v.length + 3;
    return String(n + 1 + (d.requestBody?.length ?? 0));
  },
});
