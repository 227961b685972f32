/**
 * The gateway's own answers (rejections, 404, 502/504, 429, 503): small JSON bodies
 * `{"error":"bad_gateway","request_id":"..."}`, always with the request id header. One table from
 * a stable error name to its status, as fastify builds errors from a table of codes.
 */
import type { ServerResponse } from "node:http";

export const GatewayAnswers = {
  bad_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  too_many_requests: 429,
  request_header_fields_too_large: 431,
  internal_error: 500,
  not_implemented: 501,
  bad_gateway: 502,
  service_unavailable: 503,
  gateway_timeout: 504,
  http_version_not_supported: 505,
  blocked: 403,
} as const;

export type GatewayAnswer = keyof typeof GatewayAnswers;

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  414: "URI Too Long",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

export function answerBody(error: GatewayAnswer, requestId: string): string {
  // The id is validated (requestId.ts) to a charset that needs no JSON escaping.
  return `{"error":"${error}","request_id":"${requestId}"}`;
}

/**
 * Writes a gateway answer through node's response object. `extra` is a flat [name, value, ...] list
 * (Retry-After, RateLimit, Allow). `close` asks the client to drop the connection: used when the
 * request body was not read, so the connection cannot be reused safely.
 */
export function sendAnswer(
  res: ServerResponse,
  error: GatewayAnswer,
  requestIdHeader: string,
  requestId: string,
  extra: readonly string[] | undefined,
  close: boolean,
  status: number = GatewayAnswers[error],
): void {
  const body = answerBody(error, requestId);
  const headers: string[] = [
    "content-type",
    "application/json",
    "content-length",
    String(Buffer.byteLength(body)),
    "cache-control",
    "no-store",
    requestIdHeader,
    requestId,
  ];
  if (extra !== undefined) for (const h of extra) headers.push(h);
  if (close) {
    headers.push("connection", "close");
    res.shouldKeepAlive = false;
  }
  res.writeHead(status, headers);
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/**
 * A complete HTTP/1.1 response as bytes, for sockets node's parser gave up on (clientError): there
 * is no ServerResponse then, so the gateway writes the wire format itself and closes.
 */
export function rawAnswer(error: GatewayAnswer, requestIdHeader: string, requestId: string): string {
  const status = GatewayAnswers[error];
  const body = answerBody(error, requestId);
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    "content-type: application/json\r\n" +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    "cache-control: no-store\r\n" +
    `${requestIdHeader}: ${requestId}\r\n` +
    "connection: close\r\n\r\n" +
    body
  );
}
