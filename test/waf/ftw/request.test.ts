import { describe, expect, it } from "vitest";
import {
  buildRawRequest,
  goQueryEscape,
  goQueryUnescape,
  renderGoTemplate,
} from "../../../src/waf/ftw/request.js";
import type { FtwInput } from "../../../src/waf/ftw/tests.js";

function input(over: Partial<FtwInput>): FtwInput {
  return {
    destAddr: "127.0.0.1",
    port: 80,
    method: "GET",
    uri: "/",
    version: "HTTP/1.1",
    headers: [],
    data: undefined,
    encodedRequest: undefined,
    autocompleteHeaders: true,
    ...over,
  };
}

describe("buildRawRequest (go-ftw wire format)", () => {
  it("sorts the header map by name and appends Connection: close", () => {
    const raw = buildRawRequest(
      input({
        headers: [
          ["User-Agent", "t"],
          ["Host", "localhost"],
        ],
      }),
    ).toString();
    expect(raw).toBe("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\nConnection: close\r\n\r\n");
  });

  it("adds Content-Length 0 for body methods even without data", () => {
    const raw = buildRawRequest(input({ method: "POST", headers: [["Host", "x"]] })).toString();
    expect(raw).toContain("Content-Length: 0\r\n");
  });

  it("form-encodes unescaped urlencoded data pair by pair and adds a Content-Type", () => {
    const raw = buildRawRequest(input({ method: "POST", data: "a=1 2&b=<x>&" })).toString();
    expect(raw).toContain("Content-Type: application/x-www-form-urlencoded\r\n");
    expect(raw.endsWith("\r\n\r\na=1+2&b=%3Cx%3E")).toBe(true);
    expect(raw).toContain("Content-Length: 15\r\n");
  });

  it("leaves already escaped data alone", () => {
    const raw = buildRawRequest(input({ method: "POST", data: "a=%3Cx%3E" })).toString();
    expect(raw.endsWith("a=%3Cx%3E")).toBe(true);
  });

  it("keeps data as written with autocomplete off: no headers added", () => {
    const raw = buildRawRequest(
      input({ method: "POST", data: "a=<b>", autocompleteHeaders: false }),
    ).toString();
    expect(raw).toBe("POST / HTTP/1.1\r\n\r\na=<b>");
  });

  it("turns LF into CRLF in multipart bodies", () => {
    const raw = buildRawRequest(
      input({
        method: "POST",
        headers: [["Content-Type", "multipart/form-data; boundary=x"]],
        data: "--x\nA\n--x--\n",
      }),
    ).toString();
    expect(raw.endsWith("--x\r\nA\r\n--x--\r\n")).toBe(true);
  });

  it("sends encoded_request byte for byte", () => {
    const bytes = Buffer.from("GET /\x00 HTTP\\1.0\r\n\r\n", "latin1");
    expect(buildRawRequest(input({ encodedRequest: bytes.toString("base64") })).equals(bytes)).toBe(true);
  });
});

describe("renderGoTemplate", () => {
  it.each([
    ["plain", "plain"],
    ['a={{ "1" | repeat 3 }}', "a=111"],
    ['{{ repeat 2 "ab" }}!', "abab!"],
  ])("%s", (text, expected) => expect(renderGoTemplate(text)).toBe(expected));

  it("drops data that Go's template parser rejects, as go-ftw does", () => {
    expect(renderGoTemplate("x={{constructor.constructor('alert(1)')()}}")).toBeUndefined();
    expect(renderGoTemplate("x={{ unclosed")).toBeUndefined();
  });
});

describe("Go query escaping", () => {
  it("escapes like url.QueryEscape", () => expect(goQueryEscape("a b/é~")).toBe("a+b%2F%C3%A9~"));
  it("unescapes like url.QueryUnescape and rejects bad escapes", () => {
    expect(goQueryUnescape("a+b%2F")).toBe("a b/");
    expect(goQueryUnescape("100%")).toBeUndefined();
  });
});
