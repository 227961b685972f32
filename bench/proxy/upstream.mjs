// The upstream of the proxy benchmark: answers every request with a small fixed body, reading any
// request body first. Usage: node upstream.mjs PORT
import { createServer } from "node:http";

const body = Buffer.from(JSON.stringify({ ok: true, product: { id: 1, name: "Rampart mug", price: 12.5 } }));
createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
}).listen(Number(process.argv[2]), "127.0.0.1", () => process.send?.("ready"));
