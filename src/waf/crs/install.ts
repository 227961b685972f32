/**
 * `rampart crs install`: fetches a CRS release archive (or takes a local one), checks its SHA-256,
 * unpacks it safely and installs it under DATA/crs/<version>, switching DATA/crs/current.json only
 * once the new folder is complete, so a failed install never leaves a half-written rule set live.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { extract } from "tar";
import { RampartError } from "../../errors.js";

export const DEFAULT_CRS_VERSION = "4.28.0";
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

export function defaultCrsUrl(version: string): string {
  return `https://github.com/coreruleset/coreruleset/releases/download/v${version}/coreruleset-${version}-minimal.tar.gz`;
}

export class CrsInstallError extends RampartError {}

export interface CrsInstallOptions {
  readonly dataDir: string;
  readonly version?: string;
  /** URL or local path of a .tar.gz; defaults to the official release of `version`. */
  readonly from?: string;
  /** Expected SHA-256 (hex). Without it, a `<archive>.sha256` beside the archive is used if present. */
  readonly sha256?: string;
  readonly onProgress?: (message: string) => void;
}

export interface InstalledCrs {
  readonly dir: string;
  readonly version: string;
  readonly sha256: string;
  /** How the archive was checked: against a given or published digest, or not at all. */
  readonly verified: "sha256" | "unverified";
  readonly source: string;
}

export async function installCrs(options: CrsInstallOptions): Promise<InstalledCrs> {
  const progress = options.onProgress ?? (() => {});
  const source = options.from ?? defaultCrsUrl(options.version ?? DEFAULT_CRS_VERSION);
  progress(`fetching ${source}`);
  const archive = await readSource(source);
  const sha256 = createHash("sha256").update(archive).digest("hex");
  const expected = options.sha256 ?? (await publishedDigest(source));
  if (expected !== undefined && expected.toLowerCase() !== sha256) {
    throw new CrsInstallError(
      "CRS_CHECKSUM_MISMATCH",
      `SHA-256 of ${source} is ${sha256}, expected ${expected}`,
      {
        hint: "the archive is corrupt or not the one you meant; nothing was installed",
      },
    );
  }
  progress(expected ? `sha256 ${sha256} verified` : `sha256 ${sha256} (no published digest to compare with)`);

  const crsRoot = resolve(options.dataDir, "crs");
  mkdirSync(crsRoot, { recursive: true });
  const staging = mkdtempSync(join(crsRoot, ".staging-"));
  try {
    const archivePath = join(staging, "archive.tar.gz");
    writeFileSync(archivePath, archive);
    const unpacked = join(staging, "unpacked");
    mkdirSync(unpacked);
    try {
      await extract({ file: archivePath, cwd: unpacked, strict: true });
    } catch (err) {
      throw new CrsInstallError(
        "CRS_ARCHIVE_INVALID",
        `${source} is not a readable .tar.gz: ${(err as Error).message}`,
      );
    }
    const top = findCrsFolder(unpacked);
    if (!top) {
      throw new CrsInstallError(
        "CRS_ARCHIVE_INVALID",
        `${source} holds no CRS folder (rules/ and crs-setup.conf.example)`,
      );
    }
    const version = detectCrsVersion(top);
    if (!version.startsWith("4.")) {
      throw new CrsInstallError(
        "CRS_VERSION_UNSUPPORTED",
        `CRS ${version} is not supported: Rampart runs CRS v4`,
        {
          hint: "CRS 3.x relies on PCRE-only regex features; install a v4 release (rampart crs install --version 4.x.y)",
        },
      );
    }
    const target = join(crsRoot, version);
    rmSync(target, { recursive: true, force: true });
    renameSync(top, target);
    const installed: InstalledCrs = {
      dir: target,
      version,
      sha256,
      verified: expected ? "sha256" : "unverified",
      source,
    };
    const pointer = join(crsRoot, "current.json");
    writeFileSync(`${pointer}.tmp`, `${JSON.stringify(installed, null, 2)}\n`);
    renameSync(`${pointer}.tmp`, pointer);
    progress(`installed CRS ${version} in ${target}`);
    return installed;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The CRS installed by `installCrs` in this data folder, if any. */
export function currentCrs(dataDir: string): InstalledCrs | undefined {
  const pointer = resolve(dataDir, "crs", "current.json");
  if (!existsSync(pointer)) return undefined;
  const installed = JSON.parse(readFileSync(pointer, "utf8")) as InstalledCrs;
  return existsSync(join(installed.dir, "rules")) ? installed : undefined;
}

/** Version from SecComponentSignature "OWASP_CRS/4.28.0" in the initialisation rules. */
export function detectCrsVersion(crsDir: string): string {
  const init = join(crsDir, "rules", "REQUEST-901-INITIALIZATION.conf");
  if (!existsSync(init)) return "unknown";
  const m = /SecComponentSignature\s+"OWASP_CRS\/([\d.]+[^"]*)"/.exec(readFileSync(init, "utf8"));
  return m?.[1] ?? "unknown";
}

function findCrsFolder(dir: string, depth = 0): string | undefined {
  if (existsSync(join(dir, "rules")) && existsSync(join(dir, "crs-setup.conf.example"))) return dir;
  if (depth >= 2) return undefined;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const found = findCrsFolder(p, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

async function readSource(source: string): Promise<Buffer> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { redirect: "follow", signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new CrsInstallError(
        "CRS_DOWNLOAD_FAILED",
        `cannot download ${source}: ${(err as Error).message}`,
        {
          hint: "without network access, download the archive elsewhere and use --from FILE",
        },
      );
    }
    if (!res.ok)
      throw new CrsInstallError("CRS_DOWNLOAD_FAILED", `download of ${source} answered HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_ARCHIVE_BYTES)
      throw new CrsInstallError("CRS_ARCHIVE_INVALID", `${source} is larger than 64 MiB`);
    return body;
  }
  const path = source.startsWith("file://") ? new URL(source).pathname : source;
  if (!existsSync(path)) throw new CrsInstallError("CRS_ARCHIVE_NOT_FOUND", `${path} does not exist`);
  if (statSync(path).size > MAX_ARCHIVE_BYTES)
    throw new CrsInstallError("CRS_ARCHIVE_INVALID", `${path} is larger than 64 MiB`);
  return readFileSync(path);
}

/** A `<archive>.sha256` published beside the archive ("HEX" or "HEX  name"), if there is one. */
async function publishedDigest(source: string): Promise<string | undefined> {
  let text: string | undefined;
  if (/^https?:\/\//.test(source)) {
    try {
      const res = await fetch(`${source}.sha256`, { signal: AbortSignal.timeout(15_000) });
      if (res.ok) text = await res.text();
    } catch {
      text = undefined;
    }
  } else if (existsSync(`${source}.sha256`)) {
    text = readFileSync(`${source}.sha256`, "utf8");
  }
  const m = text ? /^\s*([0-9a-fA-F]{64})\b/.exec(text) : null;
  return m?.[1];
}
