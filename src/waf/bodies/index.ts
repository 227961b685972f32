/**
 * Request body processors: importing this module registers URLENCODED, MULTIPART, JSON and XML in
 * the registry (src/waf/bodies/registry.ts), where the engine looks them up by name.
 */
import "./urlencoded.js";
import "./multipart.js";
import "./json.js";
import "./xml.js";

export { processJson } from "./json.js";
export { processMultipart } from "./multipart.js";
export { bodyProcessorNames, getBodyProcessor, registerBodyProcessor } from "./registry.js";
export { TOO_MANY_ARGUMENTS } from "./result.js";
export {
  parseUrlEncoded,
  parseUrlEncodedDetailed,
  processUrlEncoded,
  type UrlEncodedParse,
} from "./urlencoded.js";
export { processXml, XML_ATTRIBUTES_VARIABLE, XML_MAX_DEPTH } from "./xml.js";
