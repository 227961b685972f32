/** Defaults shared by the commands (documented in the README's CLI reference). */
import { resolve } from "node:path";

/** Where `rampart up`, `rampart crs install` and the control plane keep their state. */
export function defaultDataDir(): string {
  return resolve(process.env.RAMPART_DATA ?? ".rampart");
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_ADMIN_PORT = 9901;
