/**
 * Macro expansion (%{tx.anomaly_score}, %{MATCHED_VAR}) as ModSecurity does it: the text is split
 * once at rule load into literal parts and references, so a request only concatenates.
 */
import type { ByteString, Macro, MacroResolver } from "./types.js";

type Part = string | { readonly collection: string; readonly key: string | undefined };

const MACRO_RE = /%\{([A-Za-z_][A-Za-z0-9_-]*)(?:[.:]([^}]*))?\}/g;

/** Pre-splits `text` into a Macro. A reference that resolves to nothing expands to "". */
export function compileMacro(text: string): Macro {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(MACRO_RE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push({ collection: (m[1] ?? "").toUpperCase(), key: m[2] });
    last = at + m[0].length;
  }
  if (parts.length === 0) return constantMacro(text);
  if (last < text.length) parts.push(text.slice(last));
  return {
    source: text,
    constant: false,
    expand(resolver: MacroResolver): ByteString {
      let out = "";
      for (const p of parts) out += typeof p === "string" ? p : (resolver.resolve(p.collection, p.key) ?? "");
      return out;
    },
  };
}

export function constantMacro(text: string): Macro {
  return { source: text, constant: true, expand: () => text };
}
