/**
 * A drill scenario: a story of an outage replayed in a sandbox of its own (own data folder, free
 * ports), measured as it goes. `rampart drill NAME` runs one; adding a scenario is adding one file
 * and one entry in index.ts.
 */

/** Where a scenario says what it is doing (the CLI prints it on stderr with the elapsed time). */
export interface DrillProgress {
  step(text: string): void;
}

export interface DrillContext {
  /** The sandbox folder: the scenario's data folder and where it writes its reports. */
  readonly dir: string;
  readonly progress: DrillProgress;
  /** Aborted on Ctrl-C: a scenario stops its load and closes what it started. */
  readonly signal: AbortSignal;
}

export interface Scenario<R extends object = object> {
  readonly name: string;
  /** One line for `rampart drill --list`. */
  readonly summary: string;
  run(ctx: DrillContext): Promise<R>;
  /** The result for people. */
  format(result: R): string;
}
