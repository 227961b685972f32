/**
 * Hardening at the door: checks on a parsed request head, independent of node:http so that a
 * lenient parser of our own (wanted later by the WAF) can feed it the same plain object. Mirrors
 * what nginx and Envoy refuse, citing RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 (semantics):
 *
 * - URI longer than the limit -> 414 (nginx large_client_header_buffers, RFC 9110 §15.5.15)
 * - header section larger than the limit -> 431 (RFC 6585 §5)
 * - unknown method -> 501 (RFC 9110 §9.1); known but not allowed -> 405 with Allow (§15.5.6)
 * - missing or repeated Host on HTTP/1.1 -> 400 (RFC 9112 §3.2)
 * - Content-Length with Transfer-Encoding -> 400: the request-smuggling vector of RFC 9112 §6.3
 * - invalid Content-Length, or several differing ones -> 400 (RFC 9112 §6.3 point 5)
 * - Transfer-Encoding whose last coding is not chunked -> 400; other codings -> 501 (§6.1, §6.3)
 * - Transfer-Encoding on HTTP/1.0 -> 400 (§6.1: treat as faulty framing)
 * - obsolete line folding or control characters in a field value -> 400 (RFC 9112 §5.2, RFC 9110 §5.5)
 * - declared body larger than the limit -> 413 (RFC 9110 §15.5.14)
 *
 * Node's own parser (insecureHTTPParser off) already refuses several of these before the request
 * reaches us; the checks stay here so the rules live in one place whatever parser runs.
 */
import { METHODS } from "node:http";
import type { GatewayAnswer } from "./responses.js";

export interface RequestHead {
  readonly method: string;
  /** Request target as sent (origin-form `/a?b`, absolute-form, `*`). */
  readonly url: string;
  /** "1.1", "1.0". */
  readonly httpVersion: string;
  /** Field lines in order, [name, value, name, value, ...], values as received. */
  readonly rawHeaders: readonly string[];
}

export interface HeadLimits {
  readonly maxHeaderBytes: number;
  readonly maxUriBytes: number;
  readonly maxBodyBytes: number;
  /** Upper-case allow-list, or undefined for any known method. */
  readonly methods: ReadonlySet<string> | undefined;
}

/** What the head says about the body, filled by checkRequestHead when it passes. */
export interface BodyFraming {
  /** -1 when there is no Content-Length. */
  contentLength: number;
  chunked: boolean;
  /** Bytes of the request line and header section, as received (approximately: CRLFs counted). */
  headBytes: number;
}

export interface HeadRejection {
  readonly answer: GatewayAnswer;
  /** Short reason for logs and metrics (`rejected:<reason>`). */
  readonly reason: string;
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

// Rejections are constants: a refused request allocates nothing here.
const R = (answer: GatewayAnswer, reason: string): HeadRejection => Object.freeze({ answer, reason });
export const Rejections = {
  uriTooLong: R("uri_too_long", "414_uri_too_long"),
  headersTooLarge: R("request_header_fields_too_large", "431_headers_too_large"),
  unknownMethod: R("not_implemented", "501_unknown_method"),
  methodNotAllowed: R("method_not_allowed", "405_method_not_allowed"),
  missingHost: R("bad_request", "400_missing_host"),
  duplicateHost: R("bad_request", "400_duplicate_host"),
  clAndTe: R("bad_request", "400_content_length_and_transfer_encoding"),
  badContentLength: R("bad_request", "400_invalid_content_length"),
  teNotChunkedLast: R("bad_request", "400_transfer_encoding_not_chunked_last"),
  teUnsupported: R("not_implemented", "501_transfer_encoding_unsupported"),
  teOnHttp10: R("bad_request", "400_transfer_encoding_on_http10"),
  badFieldValue: R("bad_request", "400_invalid_field_value"),
  bodyTooLarge: R("payload_too_large", "413_body_too_large"),
  badTarget: R("bad_request", "400_invalid_request_target"),
  badHost: R("bad_request", "400_invalid_host"),
  badVersion: R("bad_request", "400_invalid_http_version"),
  versionNotSupported: R("http_version_not_supported", "505_http_version_not_supported"),
} as const;

/**
 * RFC 9112 §3.2: a Host that is not a valid authority is a 400. Reg-name, IPv4 or [IP-literal],
 * optional port; percent-encoded octets must not hide control characters (`localhost%00`).
 */
const HOST_SYNTAX = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;
const PCT_CONTROL = /%(?:[01][0-9A-Fa-f]|7[Ff])|%(?![0-9A-Fa-f]{2})/;

export function isValidHost(value: string): boolean {
  return HOST_SYNTAX.test(value) && (value.indexOf("%") < 0 || !PCT_CONTROL.test(value));
}

const DIGITS = /^[0-9]{1,15}$/;

/** True when a field value holds CR, LF (obs-fold once unfolded) or another CTL except HTAB. */
function hasBadValueChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Returns undefined when the head is acceptable (and fills `framing`), else the rejection.
 * Runs on every request: one pass over the raw headers, no allocation on the common path.
 */
export function checkRequestHead(
  head: RequestHead,
  limits: HeadLimits,
  framing: BodyFraming,
): HeadRejection | undefined {
  const url = head.url;
  if (url.length > limits.maxUriBytes) return Rejections.uriTooLong;
  if (url.length === 0 || (url.charCodeAt(0) !== 0x2f && url !== "*" && !/^https?:\/\//i.test(url))) {
    return Rejections.badTarget;
  }
  // A fragment is never part of a request target (RFC 9112 §3.2); clients strip it.
  if (url.indexOf("#") >= 0) return Rejections.badTarget;
  const version = head.httpVersion;
  if (version !== "1.1" && version !== "1.0") {
    return version.charCodeAt(0) >= 0x32 ? Rejections.versionNotSupported : Rejections.badVersion;
  }

  const method = head.method;
  if (!KNOWN_METHODS.has(method)) return Rejections.unknownMethod;
  if (limits.methods !== undefined && !limits.methods.has(method)) return Rejections.methodNotAllowed;

  const raw = head.rawHeaders;
  let headerBytes = 0;
  let hosts = 0;
  let host = "";
  let contentLength = -1;
  let te: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    headerBytes += name.length + value.length + 4; // ": " and CRLF
    if (hasBadValueChar(value)) return Rejections.badFieldValue;
    // Only four names matter here; compare lengths first to skip the lower-casing for the rest.
    const len = name.length;
    if (len === 4) {
      if (name.toLowerCase() === "host") {
        hosts++;
        host = value;
      }
    } else if (len === 14) {
      if (name.toLowerCase() === "content-length") {
        if (!DIGITS.test(value)) return Rejections.badContentLength;
        const n = Number(value);
        if (contentLength !== -1 && contentLength !== n) return Rejections.badContentLength;
        contentLength = n;
      }
    } else if (len === 17) {
      if (name.toLowerCase() === "transfer-encoding") te = te === undefined ? value : `${te}, ${value}`;
    }
  }
  if (headerBytes > limits.maxHeaderBytes) return Rejections.headersTooLarge;
  if (head.httpVersion === "1.1") {
    if (hosts === 0) return Rejections.missingHost;
    if (hosts > 1) return Rejections.duplicateHost;
  }
  if (hosts > 0 && !isValidHost(host)) return Rejections.badHost;

  let chunked = false;
  if (te !== undefined) {
    if (contentLength !== -1) return Rejections.clAndTe;
    if (head.httpVersion === "1.0") return Rejections.teOnHttp10;
    const codings = te.toLowerCase().split(",");
    const last = codings[codings.length - 1]!.trim();
    if (last !== "chunked") return Rejections.teNotChunkedLast;
    // chunked must appear exactly once (RFC 9112 §7); any other coding is one we do not decode.
    if (codings.length > 1) {
      for (let i = 0; i < codings.length - 1; i++) {
        if (codings[i]!.trim() === "chunked") return Rejections.teNotChunkedLast;
      }
      return Rejections.teUnsupported;
    }
    chunked = true;
  }
  if (contentLength > limits.maxBodyBytes) return Rejections.bodyTooLarge;

  framing.contentLength = contentLength;
  framing.chunked = chunked;
  framing.headBytes = headerBytes + method.length + url.length + 12;
  return undefined;
}
