/** Seeded synthetic series for detector tests: same numbers on every machine, no fixtures. */

/** mulberry32 (Tommy Ettinger's 32-bit generator): small, fast, good enough for test noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller). */
export function gaussian(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Poisson draws (Knuth's multiplication method; fine for small means). */
export function poisson(seed: number): (mean: number) => number {
  const u = rng(seed);
  return (mean) => {
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= u();
    } while (p > l);
    return k - 1;
  };
}

export const FIVE_MIN = 300_000;
export const T0 = Date.UTC(2026, 0, 5); // a Monday, midnight UTC

/** Runs a detector-like object over values at 5-minute steps; returns the scores. */
export function run(
  d: { update(t: number, v: number): number },
  values: readonly number[],
  step = FIVE_MIN,
): number[] {
  return values.map((v, i) => d.update(T0 + i * step, v));
}

export function max(xs: readonly number[], from = 0, to = xs.length): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) if (xs[i]! > m) m = xs[i]!;
  return m;
}
