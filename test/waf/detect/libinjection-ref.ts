/**
 * Loads the reference libinjection (3.9.2, bundled in Debian's libmodsecurity3) with koffi, for the
 * differential tests and the data generator. Absent library -> `reference` is undefined and the
 * tests that need it skip.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LibraryHandle } from "koffi";
import koffi from "koffi";

export interface ReferenceLibinjection {
  readonly path: string;
  readonly version: string;
  sqli(input: string): { match: boolean; fingerprint: string };
  /** Fingerprint of one context (flags as in libinjection_sqli.h), for diagnosing mismatches. */
  fingerprint(input: string, flags: number): string;
  xss(input: string): boolean;
  /** libinjection_sqli_lookup_word(LOOKUP_WORD): the keyword type char, "" when not a keyword. */
  lookupWord(word: string): string;
}

const LIB_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/usr/local/lib",
];

/** Finds libmodsecurity.so.3 (any minor version) in the usual library folders. */
export function findModsecurityLibrary(): string | undefined {
  const fromEnv = process.env.RAMPART_LIBMODSECURITY;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const dir of LIB_DIRS) {
    if (!existsSync(dir)) continue;
    const names = readdirSync(dir)
      .filter((n) => /^libmodsecurity\.so(\.\d+)*$/.test(n))
      .sort();
    const name = names[0];
    if (name !== undefined) return join(dir, name);
  }
  return undefined;
}

function load(): ReferenceLibinjection | undefined {
  const path = findModsecurityLibrary();
  if (path === undefined) return undefined;
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch {
    return undefined;
  }
  const version = lib.func("const char* libinjection_version()");
  const sqli = lib.func("int libinjection_sqli(const uint8_t* s, size_t n, _Out_ uint8_t* fp)");
  const xss = lib.func("int libinjection_xss(const uint8_t* s, size_t n)");
  const lookup = lib.func("char libinjection_sqli_lookup_word(void* st, int t, const uint8_t* s, size_t n)");
  const init = lib.func("void libinjection_sqli_init(uint8_t* st, const uint8_t* s, size_t n, int flags)");
  const fingerprint = lib.func("const char* libinjection_sqli_fingerprint(uint8_t* st, int flags)");
  const fp = Buffer.alloc(8);
  // The state struct is about 550 bytes in 3.9.2; a larger buffer keeps us safe across versions.
  const state = Buffer.alloc(4096);
  // A trailing NUL, as ModSecurity passes std::string data: libinjection reads one byte past the end.
  const bytes = (s: string): Buffer => {
    const b = Buffer.alloc(s.length + 1);
    b.write(s, "latin1");
    return b;
  };
  const cstr = (b: Buffer): string => {
    const end = b.indexOf(0);
    return b.toString("latin1", 0, end < 0 ? b.length : end);
  };
  return {
    path,
    version: String(version()),
    sqli(input) {
      fp.fill(0);
      const b = bytes(input);
      const match = sqli(b, b.length - 1, fp) !== 0;
      return { match, fingerprint: cstr(fp) };
    },
    fingerprint(input, flags) {
      const b = bytes(input);
      init(state, b, b.length - 1, flags);
      return String(fingerprint(state, flags));
    },
    xss(input) {
      const b = bytes(input);
      return xss(b, b.length - 1) !== 0;
    },
    lookupWord(word) {
      const b = bytes(word);
      const t = Number(lookup(null, 1, b, b.length - 1));
      return t === 0 ? "" : String.fromCharCode(t & 0xff);
    },
  };
}

export const reference: ReferenceLibinjection | undefined = load();
