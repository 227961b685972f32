/**
 * Every SecLang transformation. Importing this module fills the registry; the engine then looks
 * transformations up by name with getTransform.
 */
import "./base64.js";
import "./case.js";
import "./cmd-line.js";
import "./comments.js";
import "./css-decode.js";
import "./escape-seq-decode.js";
import "./hash.js";
import "./hex.js";
import "./html-entity-decode.js";
import "./js-decode.js";
import "./length.js";
import "./none.js";
import "./normalize-path.js";
import "./nulls.js";
import "./parity.js";
import "./sql-hex-decode.js";
import "./trim.js";
import "./url-decode.js";
import "./url-decode-uni.js";
import "./url-encode.js";
import "./utf8-to-unicode.js";
import "./whitespace.js";

export { getTransform, registerTransform, transformNames } from "./registry.js";
