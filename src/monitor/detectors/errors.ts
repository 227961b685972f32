/** Typed errors of the detector registry: an unknown detector or a bad parameter, both bad input. */
import { RampartError } from "../../errors.js";

export type DetectorErrorCode = "DETECTOR_UNKNOWN_INVALID" | "DETECTOR_PARAM_INVALID";

export class DetectorError extends RampartError {
  constructor(code: DetectorErrorCode, message: string, options?: { hint?: string }) {
    super(code, message, options);
  }
}
