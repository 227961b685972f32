/**
 * Runbooks: markdown written from the live state of the control plane. A runbook is a function of
 * facts (the live version, the last changes, what each gateway really runs), so that the steps a
 * responder reads at 2 AM carry the version numbers and the exact commands to type.
 */
import type { ChangeEntry } from "../../changes/types.js";

export interface RunbookFacts {
  /** ISO time the facts were read. */
  readonly generatedAt: string;
  readonly live:
    | {
        readonly version: number;
        readonly author: string;
        readonly createdAt: string;
        readonly message: string;
        readonly kind: string;
        readonly parentId: number | null;
        readonly wafMode: string;
        /** Modules the live version turns off. */
        readonly modulesOff: readonly string[];
      }
    | undefined;
  /** What changed in the last hours, ranked (changes/what-changed.ts). */
  readonly changes: readonly ChangeEntry[];
  /** What each gateway attests it runs (control/fleet.ts). */
  readonly gateways: readonly {
    readonly id: string;
    readonly state: string;
    readonly runningVersion: number | null;
    readonly wafMode: string | null;
    readonly modulesOff: readonly string[];
    readonly listen: string | null;
  }[];
  /** The control plane's policy: modules that must stay on. */
  readonly criticalModules: readonly string[];
  readonly routes: readonly {
    readonly name: string;
    readonly priority: string;
    readonly limits: readonly string[];
  }[];
  /**
   * The version to roll back to: the parent of the most recent security-relevant version in the
   * changes, else the live version's parent; undefined when there is none.
   */
  readonly rollbackTo?: number;
  /** The route the alert or incident is about, if any. */
  readonly route?: string;
  /** The incident the runbook is read for, if any. */
  readonly incidentId?: number;
}

export interface Runbook {
  /** `rampart runbook NAME`; the built-in alert with the same name links to it. */
  readonly name: string;
  readonly title: string;
  /** One line: when to use it. */
  readonly when: string;
  readonly render: (facts: RunbookFacts) => string;
}
