/**
 * The registry of API route plugins, mounted under /api/v1. Adding a group of routes is adding one
 * file under routes/ and one entry here; each plugin reads `app.store` and `app.auth`.
 */
import type { ApiPlugin } from "../plugin.js";
import { alertRoutes } from "./alerts.js";
import { configRoutes } from "./config.js";
import { eventRoutes } from "./events.js";
import { fleetRoutes } from "./fleet.js";
import { incidentRoutes } from "./incidents.js";
import { notificationRoutes } from "./notifications.js";
import { seriesRoutes } from "./series.js";
import { tokenRoutes } from "./tokens.js";

export const routePlugins: ApiPlugin[] = [
  configRoutes,
  tokenRoutes,
  eventRoutes,
  fleetRoutes,
  notificationRoutes,
  seriesRoutes,
  alertRoutes,
  incidentRoutes,
];
