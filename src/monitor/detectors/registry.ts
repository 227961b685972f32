/**
 * The detector registry. A detector is a pure streaming core: it takes one point at a time, in
 * timestamp order, and returns an anomaly score in [0, 1] for that point, in constant time and
 * memory per point, with no clock and no I/O. Each detector lives in its own file and registers
 * itself here; nothing else lists them.
 */
import { DetectorError } from "./errors.js";

export interface Detector {
  /** Scores the newest point (timestamps never decrease). Returns a value in [0, 1]. */
  update(timestamp: number, value: number): number;
}

/** Numeric parameters by name; every detector has defaults shared by all series. */
export type DetectorParams = Readonly<Record<string, number>>;

export interface DetectorDefinition {
  readonly name: string;
  /** One line for `--help` and listings. */
  readonly summary: string;
  readonly defaults: DetectorParams;
  /**
   * The score from which the detector's output means "alert" with its default parameters (for the
   * composite detector: the threshold NAB's optimiser chose for it, standard profile).
   */
  readonly alertThreshold: number;
  /** Receives the defaults overlaid with the caller's parameters, already checked to be finite. */
  create(params: DetectorParams): Detector;
}

const definitions = new Map<string, DetectorDefinition>();

export function registerDetector(definition: DetectorDefinition): void {
  if (definitions.has(definition.name)) throw new Error(`detector ${definition.name} registered twice`);
  definitions.set(definition.name, definition);
}

export function detectorNames(): string[] {
  return [...definitions.keys()].sort();
}

export function detectorDefinition(name: string): DetectorDefinition {
  const def = definitions.get(name);
  if (!def) {
    throw new DetectorError("DETECTOR_UNKNOWN_INVALID", `unknown detector "${name}"`, {
      hint: `known detectors: ${detectorNames().join(", ")}`,
    });
  }
  return def;
}

/** Checks caller parameters against the definition's names and merges them over the defaults. */
export function resolveParams(
  def: { name: string; defaults: DetectorParams },
  params: DetectorParams = {},
): DetectorParams {
  const out: Record<string, number> = { ...def.defaults };
  for (const [k, v] of Object.entries(params)) {
    if (!(k in def.defaults)) {
      throw new DetectorError("DETECTOR_PARAM_INVALID", `detector ${def.name} has no parameter "${k}"`, {
        hint: `its parameters: ${Object.keys(def.defaults).join(", ")}`,
      });
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new DetectorError(
        "DETECTOR_PARAM_INVALID",
        `parameter ${k} of detector ${def.name} must be a finite number`,
      );
    }
    out[k] = v;
  }
  return out;
}

export function createDetector(name: string, params?: DetectorParams): Detector {
  const def = detectorDefinition(name);
  return def.create(resolveParams(def, params));
}

/** Runs a fresh detector over a whole series, strictly in order; returns one score per point. */
export function runDetector(
  detector: Detector,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = detector.update(timestamps[i]!, values[i]!);
  return out;
}
