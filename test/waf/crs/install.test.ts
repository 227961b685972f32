import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "tar";
import { describe, expect, it } from "vitest";
import { currentCrs, installCrs } from "../../../src/waf/crs/install.js";
import { crsDir, hasCrs } from "../../support/shared.js";

async function archiveOf(folder: string, entries: string[], name = "crs.tar.gz"): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "rampart-crs-archive-")), name);
  await create({ gzip: true, file, cwd: folder, prefix: "coreruleset-x" }, entries);
  return file;
}

describe.skipIf(!hasCrs)("rampart crs install --from (archive built from ../shared/crs)", () => {
  it("installs, reports the version and points current.json at it", async () => {
    const archive = await archiveOf(crsDir, ["rules", "crs-setup.conf.example"]);
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    const progress: string[] = [];
    const installed = await installCrs({ dataDir: data, from: archive, onProgress: (m) => progress.push(m) });
    expect(installed.version).toBe("4.28.0");
    expect(installed.verified).toBe("unverified");
    expect(installed.sha256).toBe(createHash("sha256").update(readFileSync(archive)).digest("hex"));
    expect(existsSync(join(installed.dir, "rules", "REQUEST-942-APPLICATION-ATTACK-SQLI.conf"))).toBe(true);
    expect(currentCrs(data)?.dir).toBe(installed.dir);
    expect(progress.some((m) => m.startsWith("installed CRS 4.28.0"))).toBe(true);
  });

  it("verifies a given digest and a published .sha256 beside the archive", async () => {
    const archive = await archiveOf(crsDir, ["rules", "crs-setup.conf.example"]);
    const digest = createHash("sha256").update(readFileSync(archive)).digest("hex");
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    expect((await installCrs({ dataDir: data, from: archive, sha256: digest })).verified).toBe("sha256");
    writeFileSync(`${archive}.sha256`, `${digest}  crs.tar.gz\n`);
    expect((await installCrs({ dataDir: data, from: archive })).verified).toBe("sha256");
  });

  it("refuses a digest mismatch and leaves the installed CRS untouched", async () => {
    const archive = await archiveOf(crsDir, ["rules", "crs-setup.conf.example"]);
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    const first = await installCrs({ dataDir: data, from: archive });
    await expect(installCrs({ dataDir: data, from: archive, sha256: "0".repeat(64) })).rejects.toMatchObject({
      code: "CRS_CHECKSUM_MISMATCH",
    });
    expect(currentCrs(data)).toEqual(first);
  });
});

describe("rampart crs install: bad input", () => {
  it("a missing file is a clear error", async () => {
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    await expect(installCrs({ dataDir: data, from: join(data, "nope.tar.gz") })).rejects.toMatchObject({
      code: "CRS_ARCHIVE_NOT_FOUND",
    });
  });

  it("a file that is not a tar.gz is refused", async () => {
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    const bogus = join(data, "bogus.tar.gz");
    writeFileSync(bogus, "this is not an archive");
    await expect(installCrs({ dataDir: data, from: bogus })).rejects.toMatchObject({
      code: "CRS_ARCHIVE_INVALID",
    });
    expect(currentCrs(data)).toBeUndefined();
  });

  it("CRS 3 is refused with a reason", async () => {
    const folder = mkdtempSync(join(tmpdir(), "rampart-crs3-"));
    mkdirSync(join(folder, "rules"));
    writeFileSync(join(folder, "crs-setup.conf.example"), "# setup\n");
    writeFileSync(
      join(folder, "rules", "REQUEST-901-INITIALIZATION.conf"),
      'SecComponentSignature "OWASP_CRS/3.3.4"\n',
    );
    const archive = await archiveOf(folder, ["rules", "crs-setup.conf.example"]);
    const data = mkdtempSync(join(tmpdir(), "rampart-data-"));
    await expect(installCrs({ dataDir: data, from: archive })).rejects.toMatchObject({
      code: "CRS_VERSION_UNSUPPORTED",
    });
  });
});
