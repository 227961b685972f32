/**
 * CPU time of this process spent in `fn`, in ms. Tests that bound the cost of an algorithm (linear
 * time, ReDoS budgets) measure this rather than wall time: another process taking the cores
 * (a loaded CI machine, parallel test files) stretches wall time but not the work done here.
 * Vitest runs each test file in its own process, so the figure is this file's work only.
 */
export function cpuTimeMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Best of `runs` CPU times: the first run warms the JIT, the others ride out GC pauses. */
export function bestCpuTimeMs(fn: () => void, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, cpuTimeMs(fn));
  return best;
}
