/**
 * Header rewriting between client and upstream, both ways:
 * - hop-by-hop fields are dropped (RFC 9110 §7.6.1: Connection and every field it names, plus
 *   Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade; nginx and Envoy drop the same);
 * - X-Forwarded-For is appended to, X-Forwarded-Proto / X-Forwarded-Host are set (kept when the
 *   peer is a trusted proxy), and `Forwarded` (RFC 7239 §4) gets one more element;
 * - the request id header is set to the id the gateway settled on.
 * Output is a flat [name, value, ...] list, the form both undici and node's writeHead take without
 * building an object per request.
 */

/** Lower-case names that never cross the gateway. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
  "trailer",
  // Not hop-by-hop, but answered here: node's server already sent "100 Continue" to the client,
  // and undici refuses to send the field on.
  "expect",
]);

/** Tokens of Connection header values: the extra per-message fields to drop. */
function connectionTokens(values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values) for (const t of v.split(",")) out.add(t.trim().toLowerCase());
  return out;
}

export interface ForwardContext {
  /** Address of the TCP peer. */
  readonly remoteAddress: string;
  /** True when the peer is a trusted proxy: its X-Forwarded-Proto/Host are kept. */
  readonly peerTrusted: boolean;
  /** "http" or "https" as seen by the gateway. */
  readonly proto: string;
  readonly requestIdHeader: string;
  readonly requestId: string;
}

/** RFC 7239 §6: IPv6 addresses are quoted and bracketed; obfuscated/unknown stay as they are. */
function forwardedNode(addr: string): string {
  return addr.includes(":") ? `"[${addr}]"` : addr;
}

/**
 * Headers for the upstream request, from the client's raw header list. The Host field is passed
 * through unchanged (as Envoy does by default) so virtual hosts upstream keep working.
 */
export function upstreamRequestHeaders(raw: readonly string[], ctx: ForwardContext): string[] {
  const out: string[] = [];
  let xff: string | undefined;
  let forwarded: string | undefined;
  let host = "";
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let dropped: Set<string> | undefined;

  // Connection may name further fields to drop: find it first (rare, so usually nothing allocated).
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === "connection") {
      dropped ??= new Set();
      for (const t of connectionTokens([raw[i + 1]!])) dropped.add(t);
    }
  }

  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || (dropped?.has(lower) ?? false)) continue;
    switch (lower) {
      case "x-forwarded-for":
        xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case "forwarded":
        forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`;
        continue;
      case "x-forwarded-proto":
        if (ctx.peerTrusted) xfProto ??= value;
        continue;
      case "x-forwarded-host":
        if (ctx.peerTrusted) xfHost ??= value;
        continue;
      case "host":
        host = value;
        break;
      default:
        if (lower === ctx.requestIdHeader) continue;
    }
    out.push(name, value);
  }

  const addr = ctx.remoteAddress;
  out.push("x-forwarded-for", xff === undefined ? addr : `${xff}, ${addr}`);
  out.push("x-forwarded-proto", xfProto ?? ctx.proto);
  if (host !== "" || xfHost !== undefined) out.push("x-forwarded-host", xfHost ?? host);
  let element = `for=${forwardedNode(addr)};proto=${ctx.proto}`;
  // Host may carry characters that are not a token: quote it (RFC 7239 §4, quoted-string).
  if (host !== "") element += `;host="${host.replace(/["\\]/g, "")}"`;
  out.push("forwarded", forwarded === undefined ? element : `${forwarded}, ${element}`);
  out.push(ctx.requestIdHeader, ctx.requestId);
  return out;
}

/**
 * Headers for the client from the upstream's parsed response headers: hop-by-hop removed, the
 * request id set (replacing any the upstream sent, so logs and client agree).
 */
export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  requestIdHeader: string,
  requestId: string,
): string[] {
  const out: string[] = [];
  let dropped: Set<string> | undefined;
  const conn = headers.connection;
  if (conn !== undefined) dropped = connectionTokens(Array.isArray(conn) ? conn : [conn]);
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || name === requestIdHeader || (dropped?.has(name) ?? false)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === "string") out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  out.push(requestIdHeader, requestId);
  return out;
}
