/**
 * Bearer-token authentication and role checks of the API. A token (`Authorization: Bearer rmp_...`)
 * is verified against the store (sha256 lookup, constant-time compare); its role decides what it
 * may do: viewer < operator < admin for people, and `gateway` for gateways' own tokens, which pass
 * only the routes that name it (reading what to run, reporting what runs), never a change.
 *
 * A gateway token speaks only for the gateways its name covers: `edge-1` for gateway edge-1,
 * `edge-*` for edge-1, edge-2, ..., `*` for any (one token for a whole fleet, a deliberate choice).
 * Without that, any gateway's token could attest a healthy state in another gateway's name and hide
 * its drift.
 *
 * 401 means "who are you?" (no token, malformed, unknown, revoked); 403 means "not with this role".
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../store/store.js";
import type { TokenRole } from "../store/tokens.js";
import { ApiError } from "./errors.js";

/** Who made a request: recorded as the author of every change. */
export interface Principal {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
}

export type HumanRole = "viewer" | "operator" | "admin";

const RANK: Readonly<Record<HumanRole, number>> = { viewer: 1, operator: 2, admin: 3 };

export interface RequireOptions {
  /** Let gateway tokens through as well (routes a gateway calls about itself). */
  readonly gateway?: boolean;
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Auth {
  /**
   * A preHandler hook: 401 without a valid token, 403 when the token's role is below `minimum`.
   * `require("gateway")` lets gateway tokens and admins through.
   */
  require(minimum: HumanRole | "gateway", opts?: RequireOptions): AuthHook;
  /** The verified principal of a request that passed `require` (throws otherwise). */
  principal(request: FastifyRequest): Principal;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Whether a gateway token with this name may speak for gateway `id` (`*` in the name: any run). */
export function gatewayTokenCovers(tokenName: string, id: string): boolean {
  if (!tokenName.includes("*")) return tokenName === id;
  const pattern = tokenName
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(id);
}

/** Throws 403 unless the principal (admin, or a gateway token covering `id`) may act as gateway `id`. */
export function requireGatewayId(principal: Principal, id: string): void {
  if (principal.role !== "gateway" || gatewayTokenCovers(principal.name, id)) return;
  throw new ApiError("FORBIDDEN", `gateway token "${principal.name}" does not speak for gateway "${id}"`, {
    hint: `name a gateway token after the gateway it serves ("${id}"), or a pattern that covers it ("edge-*", "*")`,
    details: { role: principal.role, gateway: id },
  });
}

function allows(role: TokenRole, minimum: HumanRole | "gateway", opts: RequireOptions): boolean {
  if (role === "gateway") return minimum === "gateway" || opts.gateway === true;
  if (minimum === "gateway") return role === "admin";
  return RANK[role] >= RANK[minimum];
}

function needed(minimum: HumanRole | "gateway", opts: RequireOptions): string {
  if (minimum === "gateway") return "a gateway or admin token";
  const roles = (Object.keys(RANK) as HumanRole[]).filter((r) => RANK[r] >= RANK[minimum]);
  if (opts.gateway === true) roles.push("gateway" as HumanRole);
  return `a token with role ${roles.join(" or ")}`;
}

export function createAuth(store: Store): Auth {
  // Token names never change, so id -> name is cached; a miss (a new token) reloads the list.
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    let name = names.get(id);
    if (name === undefined) {
      for (const t of store.tokens.list()) names.set(t.id, t.name);
      name = names.get(id) ?? `token ${id}`;
    }
    return name;
  };
  const principals = new WeakMap<FastifyRequest, Principal>();

  return {
    require(minimum, opts = {}) {
      return async (request) => {
        const header = request.headers.authorization;
        if (header === undefined || header === "") {
          throw new ApiError("UNAUTHORIZED", "this route needs an API token", {
            hint: "send `Authorization: Bearer rmp_...`; `rampart token create` makes one, the first admin token is in DATA/admin.token",
          });
        }
        const m = BEARER.exec(header);
        const verified = m?.[1] === undefined ? undefined : store.tokens.verify(m[1]);
        if (verified === undefined) {
          throw new ApiError("UNAUTHORIZED", "the API token is malformed, unknown or revoked", {
            hint: "check the token (`rampart token list` shows which exist and which are revoked)",
          });
        }
        const principal: Principal = { ...verified, name: nameOf(verified.id) };
        if (!allows(verified.role, minimum, opts)) {
          throw new ApiError(
            "FORBIDDEN",
            `token "${principal.name}" has role ${verified.role}; this needs ${needed(minimum, opts)}`,
            {
              hint: "ask an admin for a token with that role",
              details: { role: verified.role, needs: minimum },
            },
          );
        }
        principals.set(request, principal);
      };
    },
    principal(request) {
      const p = principals.get(request);
      if (p === undefined) throw new ApiError("UNAUTHORIZED", "this route needs an API token");
      return p;
    },
  };
}
