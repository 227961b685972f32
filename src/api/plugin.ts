/**
 * What a route plugin of the API gets: the store and the auth hooks, as fastify decorations on the
 * instance (declared here so every plugin sees them typed). A plugin is one file under routes/,
 * listed in routes/index.ts; it declares a JSON schema per route (validation and OpenAPI) and the
 * role it needs in `config.role` (documentation; the check itself is `app.auth.require`).
 */
import type { FastifyPluginAsync } from "fastify";
import type { Store } from "../store/store.js";
import type { Auth, HumanRole } from "./auth.js";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
    auth: Auth;
  }
  /** OpenAPI fields beside the validation schemas (as @fastify/swagger declares them). */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
  interface FastifyContextConfig {
    /** Who may call the route, shown in the OpenAPI document ("none" for public routes). */
    role?: HumanRole | "gateway" | "none";
  }
}

export type ApiPlugin = FastifyPluginAsync;
