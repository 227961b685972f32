/**
 * All WAF operators. Importing this module registers every operator file; the engine then asks the
 * registry by name.
 */
import "./detect.js";
import "./ip-match.js";
import "./match.js";
import "./numeric.js";
import "./pm.js";
import "./rx.js";
import "./strings.js";
import "./unsupported.js";
import "./validate.js";
import "./verify.js";

export { AhoCorasick, type PhraseMatch } from "./aho-corasick.js";
export { parseIpAddress } from "./ip-match.js";
export { parseModsecInt } from "./param.js";
export { dataFilePhrases, parsePmContent, pmPhrases } from "./pm.js";
export {
  type CompiledRegex,
  compilePcre,
  installRegexSafety,
  RegexTranslationError,
  type TranslatedRegex,
  translatePcre,
} from "./regex.js";
export { getOperator, operatorNames, registerOperator, requireOperator } from "./registry.js";
export { matchRegex } from "./rx.js";
export { containsWord } from "./strings.js";
export { isValidUrlEncoding, isValidUtf8, parseByteRanges } from "./validate.js";
export { cpfValid, luhnValid, ssnValid } from "./verify.js";
