/**
 * The SecLangHost that reads the local file system (node:fs), kept apart so that the parser stays
 * pure. Files are read as latin1: one char per byte, as the engine's ByteStrings expect (CRS
 * patterns are written for PCRE without UTF mode).
 *
 * Node 20 has no fs.globSync, so Include patterns are matched here: `*` and `?` in any path
 * component (never across a /), hidden files only when the component itself starts with a dot, as
 * Apache's Include (apr_fnmatch with APR_FNM_PERIOD) does. Results are sorted, like Apache's.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, parse } from "node:path";
import type { SecLangHost } from "./parser.js";

function globToRegExp(component: string): RegExp {
  let src = "^";
  for (const ch of component) {
    if (ch === "*") src += "[^/]*";
    else if (ch === "?") src += "[^/]";
    else src += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  }
  return new RegExp(`${src}$`);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Files matching an absolute or relative pattern, sorted; [] when nothing matches. */
export function globFiles(pattern: string): string[] {
  const { root } = parse(pattern);
  const parts = pattern
    .slice(root.length)
    .split(/[\\/]/)
    .filter((p) => p !== "" && p !== ".");
  let current = [root === "" ? "." : root];
  parts.forEach((part, k) => {
    const last = k === parts.length - 1;
    const next: string[] = [];
    if (part.includes("*") || part.includes("?")) {
      const re = globToRegExp(part);
      const hidden = part.startsWith(".");
      for (const dir of current) {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        names.sort();
        for (const name of names) {
          if (name.startsWith(".") && !hidden) continue;
          if (!re.test(name)) continue;
          const path = join(dir, name);
          if (last ? isFile(path) : isDir(path)) next.push(path);
        }
      }
    } else {
      for (const dir of current) {
        const path = join(dir, part);
        if (last || isDir(path)) next.push(path);
      }
    }
    current = next;
  });
  return current.filter(isFile).sort();
}

export const nodeHost: SecLangHost = {
  readFile(path: string): string {
    return readFileSync(path, "latin1");
  },
  glob(pattern: string): string[] {
    return globFiles(pattern);
  },
};
