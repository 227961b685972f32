import { describe, expect, it } from "vitest";
import {
  type BodyFraming,
  checkRequestHead,
  type HeadLimits,
  Rejections,
  type RequestHead,
} from "../../src/gateway/head.js";

const LIMITS: HeadLimits = { maxHeaderBytes: 1024, maxUriBytes: 256, maxBodyBytes: 1000, methods: undefined };
const ALLOW: HeadLimits = { ...LIMITS, methods: new Set(["GET", "POST"]) };

function head(over: Partial<RequestHead> & { h?: string[] } = {}): RequestHead {
  return {
    method: "GET",
    url: "/",
    httpVersion: "1.1",
    rawHeaders: ["Host", "x", ...(over.h ?? [])],
    ...over,
  };
}

function check(
  h: RequestHead,
  limits: HeadLimits = LIMITS,
): { reason: string | undefined; framing: BodyFraming } {
  const framing: BodyFraming = { contentLength: -1, chunked: false, headBytes: 0 };
  return { reason: checkRequestHead(h, limits, framing)?.reason, framing };
}

describe("checkRequestHead", () => {
  it.each([
    ["plain GET", head(), undefined],
    ["URI at the limit", head({ url: `/${"a".repeat(255)}` }), undefined],
    ["URI over the limit", head({ url: `/${"a".repeat(256)}` }), Rejections.uriTooLong.reason],
    ["empty URI", head({ url: "" }), Rejections.badTarget.reason],
    ["relative URI", head({ url: "index.html" }), Rejections.badTarget.reason],
    ["absolute-form URI", head({ url: "http://x/a" }), undefined],
    ["asterisk-form", head({ method: "OPTIONS", url: "*" }), undefined],
    ["unknown method", head({ method: "FROB" }), Rejections.unknownMethod.reason],
    ["lower-case method", head({ method: "get" }), Rejections.unknownMethod.reason],
    ["headers over the limit", head({ h: ["X-Big", "a".repeat(1100)] }), Rejections.headersTooLarge.reason],
    ["no Host on 1.1", head({ rawHeaders: [] }), Rejections.missingHost.reason],
    ["no Host on 1.0", head({ rawHeaders: [], httpVersion: "1.0" }), undefined],
    ["two Hosts", head({ h: ["host", "y"] }), Rejections.duplicateHost.reason],
    ["Host with port", head({ rawHeaders: ["Host", "shop.example:8080"] }), undefined],
    ["Host IPv6 literal", head({ rawHeaders: ["Host", "[::1]:8080"] }), undefined],
    ["Host empty", head({ rawHeaders: ["Host", ""] }), Rejections.badHost.reason],
    ["Host hiding a NUL", head({ rawHeaders: ["Host", "localhost%00"] }), Rejections.badHost.reason],
    ["Host hiding a control char", head({ rawHeaders: ["Host", "localhost%1F"] }), Rejections.badHost.reason],
    ["Host with a space", head({ rawHeaders: ["Host", "a b"] }), Rejections.badHost.reason],
    ["Host with pct-encoded letter", head({ rawHeaders: ["Host", "shop%41"] }), undefined],
    ["fragment in target", head({ url: "/#frag" }), Rejections.badTarget.reason],
    ["HTTP/0.9 claimed", head({ httpVersion: "0.9" }), Rejections.badVersion.reason],
    ["HTTP/2.0 over HTTP/1", head({ httpVersion: "2.0" }), Rejections.versionNotSupported.reason],
    ["HTTP/1.0", head({ httpVersion: "1.0" }), undefined],
    [
      "CL and TE",
      head({ h: ["Content-Length", "5", "Transfer-Encoding", "chunked"] }),
      Rejections.clAndTe.reason,
    ],
    ["CL not digits", head({ h: ["Content-Length", "5a"] }), Rejections.badContentLength.reason],
    ["CL empty", head({ h: ["Content-Length", ""] }), Rejections.badContentLength.reason],
    ["CL with sign", head({ h: ["Content-Length", "+5"] }), Rejections.badContentLength.reason],
    ["CL huge", head({ h: ["Content-Length", "9".repeat(40)] }), Rejections.badContentLength.reason],
    ["CL list", head({ h: ["Content-Length", "5, 5"] }), Rejections.badContentLength.reason],
    ["CL twice, same", head({ h: ["Content-Length", "5", "content-length", "5"] }), undefined],
    [
      "CL twice, differing",
      head({ h: ["Content-Length", "5", "content-length", "6"] }),
      Rejections.badContentLength.reason,
    ],
    ["CL over the body limit", head({ h: ["Content-Length", "1001"] }), Rejections.bodyTooLarge.reason],
    ["TE chunked", head({ h: ["Transfer-Encoding", "chunked"] }), undefined],
    ["TE Chunked (case)", head({ h: ["Transfer-Encoding", "Chunked"] }), undefined],
    [
      "TE gzip, chunked",
      head({ h: ["Transfer-Encoding", "gzip, chunked"] }),
      Rejections.teUnsupported.reason,
    ],
    [
      "TE chunked, gzip",
      head({ h: ["Transfer-Encoding", "chunked, gzip"] }),
      Rejections.teNotChunkedLast.reason,
    ],
    [
      "TE chunked twice",
      head({ h: ["Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"] }),
      Rejections.teNotChunkedLast.reason,
    ],
    ["TE identity", head({ h: ["Transfer-Encoding", "identity"] }), Rejections.teNotChunkedLast.reason],
    ["TE empty", head({ h: ["Transfer-Encoding", ""] }), Rejections.teNotChunkedLast.reason],
    [
      "TE on HTTP/1.0",
      head({ httpVersion: "1.0", h: ["Transfer-Encoding", "chunked"] }),
      Rejections.teOnHttp10.reason,
    ],
    ["folded value (CRLF SP)", head({ h: ["X-A", "a\r\n b"] }), Rejections.badFieldValue.reason],
    ["bare LF in value", head({ h: ["X-A", "a\nb"] }), Rejections.badFieldValue.reason],
    ["NUL in value", head({ h: ["X-A", "a\u0000b"] }), Rejections.badFieldValue.reason],
    ["DEL in value", head({ h: ["X-A", "a\u007fb"] }), Rejections.badFieldValue.reason],
    ["tab in value", head({ h: ["X-A", "a\tb"] }), undefined],
    ["obs-text (invalid UTF-8 bytes) in value", head({ h: ["X-A", "\u00ff\u00fe\u00c3\u0028"] }), undefined],
    ["empty value", head({ h: ["X-A", ""] }), undefined],
  ])("%s", (_name, h, reason) => {
    expect(check(h).reason).toBe(reason);
  });

  it.each([
    ["allowed", "GET", undefined],
    ["known, not allowed", "DELETE", Rejections.methodNotAllowed.reason],
    ["unknown", "FROB", Rejections.unknownMethod.reason],
  ])("method allow-list: %s", (_n, method, reason) => {
    expect(check(head({ method }), ALLOW).reason).toBe(reason);
  });

  it("fills the body framing of an accepted head", () => {
    expect(check(head({ h: ["Content-Length", "12"] })).framing).toMatchObject({
      contentLength: 12,
      chunked: false,
    });
    expect(check(head({ h: ["transfer-encoding", "chunked"] })).framing).toMatchObject({
      contentLength: -1,
      chunked: true,
    });
    expect(check(head()).framing.headBytes).toBeGreaterThan(0);
  });

  it("handles a huge header list in one pass", () => {
    const h: string[] = [];
    for (let i = 0; i < 10_000; i++) h.push(`X-${i}`, "v");
    const big: HeadLimits = { ...LIMITS, maxHeaderBytes: 1_000_000 };
    const t0 = performance.now();
    expect(check(head({ h }), big).reason).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
