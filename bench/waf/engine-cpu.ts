/**
 * Engine CPU per request: the five request kinds of bench/waf/run.ts through the engine in this
 * process (no HTTP), CRS at the given paranoia level, CPU time (process.cpuUsage) per request,
 * median of several runs. Repeatable on a shared machine where wall-clock figures are not: another
 * process taking the cores does not add to this process's CPU time.
 *
 *   npx tsx bench/waf/engine-cpu.ts [--paranoia 1] [--runs 5] [--requests 400] [--crs DIR] [--kind K] [--json]
 * --kind runs one kind only ("GET 10 args"). With --cpu-prof-loop N it only runs the mix N times
 * (for `node --cpu-prof`).
 */
import { resolve } from "node:path";
import { assembleWaf } from "../../src/waf/crs/assemble.js";
import { runRequest, typicalRequests } from "../../src/waf/engine/index.js";
import { loadWaf } from "../../src/waf/index.js";
import { crsDir as sharedCrs } from "../../test/support/shared.js";
import { argValue, cpuNowUs, median, numberArg } from "../support.js";

const paranoia = numberArg("paranoia", 1);
const runs = numberArg("runs", 5);
const perRun = numberArg("requests", 400);
const profLoop = numberArg("cpu-prof-loop", 0);
const crs = resolve(argValue("crs") ?? sharedCrs);

const assembly = assembleWaf({
  crsDir: crs,
  mode: "blocking",
  paranoia,
  modules: {},
  anomalyThreshold: { inbound: 5, outbound: 4 },
});
const ruleSet = loadWaf({ sources: assembly.sources });
const only = argValue("kind");
const mix = typicalRequests().filter((r) => only === undefined || r.kind === only);
let seq = 0;

if (profLoop > 0) {
  for (let i = 0; i < profLoop; i++) for (const req of mix) runRequest(ruleSet, req, String(seq++));
  process.exit(0);
}

for (let i = 0; i < 300; i++) for (const req of mix) runRequest(ruleSet, req, String(seq++)); // JIT warm-up

const cpuUs = (fn: () => void): number => {
  const start = cpuNowUs();
  fn();
  return cpuNowUs() - start;
};

const rows = mix.map((req) => {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const us = cpuUs(() => {
      for (let i = 0; i < perRun; i++) runRequest(ruleSet, req, String(seq++));
    });
    samples.push(us / perRun);
  }
  return { kind: req.kind, usPerRequest: median(samples), min: Math.min(...samples) };
});

if (process.argv.includes("--json")) console.log(JSON.stringify({ paranoia, runs, perRun, rows }));
else {
  console.log(
    `engine CPU per request, CRS PL${paranoia}, median of ${runs} runs of ${perRun} (node ${process.version})`,
  );
  for (const r of rows)
    console.log(`${r.kind.padEnd(20)}${r.usPerRequest.toFixed(1).padStart(9)} us  (min ${r.min.toFixed(1)})`);
}
