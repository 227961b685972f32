/** Public surface of the gateway part. */
export { type AccessLog, type AccessRecord, createAccessLog, fromLogger } from "./accessLog.js";
export { BodyTooLargeError, GatewayError, type GatewayErrorCode } from "./errors.js";
export {
  type Gateway,
  type GatewayAddresses,
  type GatewayOptions,
  startGateway,
} from "./gateway.js";
export type { GuardRequest, GuardVerdict, RequestGuard, RequestGuardFactory } from "./guard.js";
export {
  type BodyFraming,
  checkRequestHead,
  type HeadLimits,
  type HeadRejection,
  Rejections,
  type RequestHead,
} from "./head.js";
export { clientResponseHeaders, type ForwardContext, upstreamRequestHeaders } from "./headers.js";
export { GatewayMetrics, Histogram, LATENCY_BUCKETS, RouteStats } from "./metrics.js";
export { isValidRequestId, newRequestId, requestIdFor } from "./requestId.js";
export { RING_SECONDS, SecondCounters, type SecondPoint, SecondSeries } from "./seconds.js";
