/** Public surface of incidents: the service, the pure cores, the writers and their shapes. */
export { type ActivityOptions, type ActivitySeries, seriesActivity } from "./activity.js";
export { INCIDENT_ERROR_STATUS, IncidentError, type IncidentErrorCode } from "./errors.js";
export { dueEscalations, type EscalationStep } from "./escalation.js";
export { type AlertFacts, decideGrouping, type GroupingDecision, serviceOf } from "./grouping.js";
export { applyCommand, type IncidentChange, type IncidentCommand, isOpen } from "./lifecycle.js";
export { incidentGroupKey, incidentNotification } from "./notification.js";
export {
  type Figure,
  type ImpactInput,
  type Postmortem,
  type PostmortemInput,
  renderPostmortemMarkdown,
  type WindowSeries,
  writePostmortem,
} from "./postmortem.js";
export {
  checkoutRoute,
  impactOf,
  incidentPostmortem,
  incidentTimeline,
  type ReportOptions,
  runbookFacts,
  runbookText,
  type SeriesSource,
} from "./report.js";
export { IncidentRepository } from "./repository.js";
export { RUNBOOKS, type Runbook, type RunbookFacts, renderRunbook, runbookFor } from "./runbooks/index.js";
export { DEFAULT_INCIDENTS_CONFIG, type IncidentsConfig, incidentsSchema } from "./schema.js";
export {
  ALERT_EVENT_KINDS,
  type IncidentDetail,
  IncidentService,
  type IncidentServiceOptions,
  incidentsFor,
  type OpenIncidentInput,
  type TickResult,
} from "./service.js";
export { divideRate, type TightenResult, tightenRouteLimits } from "./tighten.js";
export {
  buildTimeline,
  DEFAULT_LOOKBACK_MS,
  type TimelineEntry,
  type TimelineWindow,
  timelineWindow,
} from "./timeline.js";
export * from "./types.js";
