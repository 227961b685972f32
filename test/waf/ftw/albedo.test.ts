import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Albedo, startAlbedo } from "../../../src/waf/ftw/albedo.js";
import { sendRaw } from "../../../src/waf/ftw/client.js";

let albedo: Albedo;
beforeAll(async () => {
  albedo = await startAlbedo();
});
afterAll(() => albedo.close());

function post(path: string, body: string) {
  const req = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  return sendRaw("127.0.0.1", albedo.port, Buffer.from(req), 2000);
}

describe("albedo echo upstream", () => {
  it("answers any path with an empty 200", async () => {
    const res = await sendRaw(
      "127.0.0.1",
      albedo.port,
      Buffer.from("GET /anything?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
      2000,
    );
    expect(res.status).toBe(200);
    expect(res.raw.endsWith("\r\n\r\n")).toBe(true);
  });

  it("reflects status, headers and body", async () => {
    const res = await post(
      "/reflect",
      JSON.stringify({ status: 418, headers: { "X-Test": "yes" }, body: "<?php echo 1; ?>" }),
    );
    expect(res.status).toBe(418);
    expect(res.headers).toContainEqual(["x-test", "yes"]);
    expect(res.headers).toContainEqual(["content-type", "text/plain; charset=utf-8"]);
    expect(res.raw.endsWith("<?php echo 1; ?>")).toBe(true);
  });

  it("decodes encodedBody and sniffs HTML", async () => {
    const res = await post(
      "/reflect",
      JSON.stringify({ encodedBody: Buffer.from("<html><body>hi").toString("base64") }),
    );
    expect(res.status).toBe(200);
    expect(res.headers).toContainEqual(["content-type", "text/html; charset=utf-8"]);
  });

  it("rejects invalid JSON and out-of-range status", async () => {
    expect((await post("/reflect", "{nope")).status).toBe(400);
    expect((await post("/reflect", '{"status": 99}')).status).toBe(400);
  });

  it("the client reports a connection closed without response as an error", async () => {
    await expect(sendRaw("127.0.0.1", 1, Buffer.from("GET / HTTP/1.1\r\n\r\n"), 500)).rejects.toThrow();
  });
});
