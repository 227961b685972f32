// The baseline of the proxy benchmark: about the smallest correct reverse proxy one can write with
// node:http and undici. The gateway is measured against it. Usage: node baseline-proxy.mjs PORT UPSTREAM
import { createServer } from "node:http";
import { Pool } from "undici";

const [port, upstream] = [Number(process.argv[2]), process.argv[3]];
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

createServer((req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k)) headers[k] = v;
  const hasBody =
    req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  pool.request({ method: req.method, path: req.url, headers, body: hasBody ? req : undefined }).then(
    ({ statusCode, headers: h, body }) => {
      for (const k of Object.keys(h)) if (hopByHop.has(k)) delete h[k];
      res.writeHead(statusCode, h);
      body.pipe(res);
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
}).listen(port, "127.0.0.1", () => process.send?.("ready"));
