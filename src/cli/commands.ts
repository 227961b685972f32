/**
 * The registry of sub-commands: one file per command under src/cli/, each exporting a
 * `register(program)` function listed here.
 */
import type { Command } from "commander";
import { register as registerAction } from "./action.js";
import { registerAlerts } from "./alerts.js";
import { register as registerConfig } from "./config.js";
import { register as registerControl } from "./control.js";
import { registerCrs } from "./crs.js";
import { registerDetect } from "./detect.js";
import { registerDrill } from "./drill.js";
import { register as registerEvents } from "./events.js";
import { registerFleet } from "./fleet.js";
import { register as registerGateway } from "./gateway.js";
import { register as registerIncident } from "./incident.js";
import { register as registerLimits } from "./limits.js";
import { registerNotify } from "./notify.js";
import { register as registerPostmortem } from "./postmortem.js";
import { register as registerRunbook } from "./runbook.js";
import { registerSeries } from "./series.js";
import { registerSilence } from "./silence.js";
import { register as registerToken } from "./token.js";
import { registerTop } from "./top.js";
import { registerUp } from "./up.js";
import { registerWaf } from "./waf.js";
import { registerWafProfile } from "./waf-profile.js";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerUp,
  registerGateway,
  registerWaf,
  registerWafProfile, // adds `waf profile` to the `waf` command: after registerWaf
  registerCrs,
  registerDetect,
  registerFleet,
  registerControl,
  registerConfig,
  registerToken,
  registerEvents,
  registerTop,
  registerSeries,
  registerNotify,
  registerDrill,
  registerAlerts,
  registerSilence,
  registerIncident,
  registerRunbook,
  registerPostmortem,
  registerAction,
  registerLimits,
];
