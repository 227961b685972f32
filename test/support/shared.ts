/**
 * Test data of others (CRS rules and regression tests, NAB series) is read from ../shared beside
 * the checkout, never committed. On a user's machine it is absent: tests that need it skip with a
 * clear message instead of failing.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedDir = process.env.RAMPART_SHARED_DIR ?? resolve(repoRoot, "../shared");
export const crsDir = resolve(sharedDir, "crs/v4.28.0");
export const nabDir = resolve(sharedDir, "nab");

export const hasCrs = existsSync(resolve(crsDir, "rules"));
export const hasNab = existsSync(resolve(nabDir, "data"));

if (!hasCrs) console.warn(`[rampart tests] ${crsDir} not found: CRS-based tests are skipped.`);
