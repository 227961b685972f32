/** `rampart crs install|status`: get the OWASP Core Rule Set into the data folder. */
import type { Command } from "commander";
import { currentCrs, DEFAULT_CRS_VERSION, installCrs } from "../waf/crs/install.js";
import { defaultDataDir } from "./defaults.js";

export function registerCrs(program: Command): void {
  const crs = program.command("crs").description("install and inspect the OWASP Core Rule Set");

  crs
    .command("install")
    .description("download (or take a local) CRS v4 release archive, verify it and install it")
    .option("--version <version>", "CRS release to download", DEFAULT_CRS_VERSION)
    .option("--from <url|file>", "archive to install instead of the official release")
    .option("--sha256 <hex>", "expected SHA-256 of the archive")
    .option("--data <dir>", "data folder", defaultDataDir())
    .option("--json", "print the result as JSON")
    .action(
      async (opts: { version: string; from?: string; sha256?: string; data: string; json?: boolean }) => {
        const installed = await installCrs({
          dataDir: opts.data,
          version: opts.version,
          ...(opts.from ? { from: opts.from } : {}),
          ...(opts.sha256 ? { sha256: opts.sha256 } : {}),
          onProgress: opts.json ? undefined : (m) => console.error(`crs: ${m}`),
        });
        if (opts.json) console.log(JSON.stringify(installed));
        else {
          console.log(`CRS ${installed.version} installed in ${installed.dir}`);
          if (installed.verified === "unverified") {
            console.log("warning: no digest to verify against; pass --sha256 to check the archive");
          }
        }
      },
    );

  crs
    .command("status")
    .description("show the CRS installed in the data folder")
    .option("--data <dir>", "data folder", defaultDataDir())
    .option("--json", "print the result as JSON")
    .action((opts: { data: string; json?: boolean }) => {
      const installed = currentCrs(opts.data);
      if (opts.json) console.log(JSON.stringify(installed ?? null));
      else if (!installed) console.log(`no CRS installed in ${opts.data} (run: rampart crs install)`);
      else
        console.log(
          `CRS ${installed.version} in ${installed.dir} (sha256 ${installed.sha256}, ${installed.verified})`,
        );
    });
}
