/**
 * Rampart's streaming anomaly detectors. Importing this module registers every detector (each file
 * registers itself); callers use createDetector(name) and detectorNames().
 */
import "./composite.js";
import "./contextual.js";
import "./hybrid.js";
import "./drop.js";
import "./level-shift.js";
import "./spike.js";

export { DetectorError } from "./errors.js";
export { createRatioDetector, type RatioDetector, ratioDefaults } from "./ratio.js";
export {
  createDetector,
  type Detector,
  type DetectorDefinition,
  type DetectorParams,
  detectorDefinition,
  detectorNames,
  registerDetector,
  runDetector,
} from "./registry.js";

/** The detector used when none is named: the best on NAB (see hybrid.ts). */
export const DEFAULT_DETECTOR = "hybrid";
