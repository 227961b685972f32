/**
 * "Did you mean ...?" for error hints: the known name closest to a misspelt one, by edit distance
 * (Levenshtein, case-insensitive). Only runs on the error path, so plain O(n·m) is fine.
 */

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length] as number;
}

/** The candidate nearest to `name` within a third of its length (at most 3 edits), if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  let found: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = distance(wanted, c.toLowerCase(), limit);
    if (d < bestDistance) {
      bestDistance = d;
      found = c;
    }
  }
  return found;
}
