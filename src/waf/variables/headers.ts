/** Header and cookie variables of request and response. */
import { type Collection, NO_COLLECTIONS } from "./collection.js";
import { defineScalars, type VariableDefinition } from "./registry.js";

export const headerVariables: VariableDefinition[] = [
  { name: "REQUEST_HEADERS", collections: (d) => d.requestHeaders.asList, phaseStable: true },
  { name: "REQUEST_HEADERS_NAMES", collections: (d) => d.requestHeaderNames.asList, phaseStable: true },
  { name: "REQUEST_COOKIES", collections: (d) => d.cookies.asList, phaseStable: true },
  { name: "REQUEST_COOKIES_NAMES", collections: (d) => d.cookieNames.asList, phaseStable: true },
  {
    name: "RESPONSE_HEADERS",
    collections: (d): readonly Collection[] =>
      d.responseHeaders === undefined ? NO_COLLECTIONS : d.responseHeaders.asList,
    phaseStable: true,
  },
  { name: "RESPONSE_HEADERS_NAMES", collections: (d) => d.responseHeaderNames.asList, phaseStable: true },
  ...defineScalars({
    /** Content-Type of the request as sent (v3 exposes it for REQBODY decisions). */
    REQUEST_CONTENT_TYPE: (d) => d.requestHeaders.first("content-type")?.value,
    RESPONSE_CONTENT_TYPE: (d) => d.responseHeaders?.first("content-type")?.value,
    RESPONSE_CONTENT_LENGTH: (d) => d.responseHeaders?.first("content-length")?.value,
  }),
];
