import { describe, expect, it } from "vitest";
import {
  clientResponseHeaders,
  type ForwardContext,
  upstreamRequestHeaders,
} from "../../src/gateway/headers.js";

const CTX: ForwardContext = {
  remoteAddress: "192.0.2.7",
  peerTrusted: false,
  proto: "http",
  requestIdHeader: "x-request-id",
  requestId: "rid-1",
};

function asMap(flat: string[]): Record<string, string[]> {
  const m: Record<string, string[]> = {};
  for (let i = 0; i < flat.length; i += 2) (m[flat[i]!.toLowerCase()] ??= []).push(flat[i + 1]!);
  return m;
}

describe("upstreamRequestHeaders", () => {
  it.each([
    ["Connection", "close"],
    ["Keep-Alive", "timeout=5"],
    ["Proxy-Connection", "keep-alive"],
    ["TE", "trailers"],
    ["Transfer-Encoding", "chunked"],
    ["Upgrade", "websocket"],
    ["Trailer", "x-t"],
    ["Expect", "100-continue"],
  ])("drops %s", (name, value) => {
    const out = asMap(upstreamRequestHeaders(["Host", "h", name, value], CTX));
    expect(out[name.toLowerCase()]).toBeUndefined();
    expect(out.host).toEqual(["h"]);
  });

  it("drops every field named by Connection, whatever the case and spacing", () => {
    const out = asMap(
      upstreamRequestHeaders(["Connection", " X-A ,x-b", "x-a", "1", "X-B", "2", "X-C", "3"], CTX),
    );
    expect(out["x-a"]).toBeUndefined();
    expect(out["x-b"]).toBeUndefined();
    expect(out["x-c"]).toEqual(["3"]);
  });

  it("appends to X-Forwarded-For and Forwarded, one value even from several fields", () => {
    const out = asMap(
      upstreamRequestHeaders(
        [
          "Host",
          "shop",
          "X-Forwarded-For",
          "1.1.1.1",
          "x-forwarded-for",
          "2.2.2.2",
          "Forwarded",
          "for=1.1.1.1",
        ],
        CTX,
      ),
    );
    expect(out["x-forwarded-for"]).toEqual(["1.1.1.1, 2.2.2.2, 192.0.2.7"]);
    expect(out.forwarded).toEqual(['for=1.1.1.1, for=192.0.2.7;proto=http;host="shop"']);
  });

  it("quotes IPv6 in Forwarded (RFC 7239 §6) and omits host when there is none", () => {
    const out = asMap(upstreamRequestHeaders([], { ...CTX, remoteAddress: "2001:db8::1" }));
    expect(out.forwarded).toEqual(['for="[2001:db8::1]";proto=http']);
    expect(out["x-forwarded-host"]).toBeUndefined();
  });

  it("overrides X-Forwarded-Proto/Host from an untrusted peer, keeps them from a trusted one", () => {
    const raw = ["Host", "inner", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "outer"];
    expect(asMap(upstreamRequestHeaders(raw, CTX))).toMatchObject({
      "x-forwarded-proto": ["http"],
      "x-forwarded-host": ["inner"],
    });
    expect(asMap(upstreamRequestHeaders(raw, { ...CTX, peerTrusted: true }))).toMatchObject({
      "x-forwarded-proto": ["https"],
      "x-forwarded-host": ["outer"],
    });
  });

  it("replaces the client's request id with the gateway's", () => {
    const out = asMap(upstreamRequestHeaders(["X-Request-Id", "theirs"], CTX));
    expect(out["x-request-id"]).toEqual(["rid-1"]);
  });

  it("strips quotes and backslashes of a hostile Host inside Forwarded", () => {
    const out = asMap(upstreamRequestHeaders(["Host", 'a"b\\c'], CTX));
    expect(out.forwarded).toEqual(['for=192.0.2.7;proto=http;host="abc"']);
  });
});

describe("clientResponseHeaders", () => {
  it("drops hop-by-hop fields and the ones Connection names, keeps repeated Set-Cookie", () => {
    const out = clientResponseHeaders(
      {
        connection: "x-internal",
        "x-internal": "1",
        "keep-alive": "timeout=5",
        "transfer-encoding": "chunked",
        "set-cookie": ["a=1", "b=2"],
        "x-request-id": "upstream's",
        "content-type": "text/html",
      },
      "x-request-id",
      "rid-9",
    );
    expect(out).toEqual([
      "set-cookie",
      "a=1",
      "set-cookie",
      "b=2",
      "content-type",
      "text/html",
      "x-request-id",
      "rid-9",
    ]);
  });

  it("always sets the request id, even on an empty header set", () => {
    expect(clientResponseHeaders({}, "x-trace", "t")).toEqual(["x-trace", "t"]);
  });
});
