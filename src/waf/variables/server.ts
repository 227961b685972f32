/** Connection, server and time variables. Time comes from the clock the rule set was given. */
import { defineScalars, type VariableDefinition } from "./registry.js";
import type { TxData } from "./state.js";

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
const date = (d: TxData): Date => new Date(d.now());

export const serverVariables: VariableDefinition[] = [
  ...defineScalars({
    REMOTE_ADDR: (d) => d.req.remoteAddr,
    REMOTE_HOST: (d) => d.req.remoteAddr,
    REMOTE_PORT: (d) => String(d.req.remotePort),
    /** Without authentication at the edge there is no remote user. */
    REMOTE_USER: () => undefined,
    SERVER_ADDR: (d) => d.req.serverAddr ?? "",
    SERVER_PORT: (d) => String(d.req.serverPort),
    /** The Host header without its port, as the server name a virtual host would report. */
    SERVER_NAME: (d) => {
      const host = d.requestHeaders.first("host")?.value ?? "";
      return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
    },
    UNIQUE_ID: (d) => d.req.id,
  }),
  // ModSecurity's TIME_* are local time; Rampart uses UTC so logs of a fleet agree.
  ...defineScalars(
    {
      DURATION: (d) => String(Math.max(0, Math.round((d.now() - d.startedAt) * 1000))),
      TIME: (d) => {
        const t = date(d);
        return `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
      },
      TIME_DAY: (d) => String(date(d).getUTCDate()),
      TIME_EPOCH: (d) => String(Math.floor(d.now() / 1000)),
      TIME_HOUR: (d) => String(date(d).getUTCHours()),
      TIME_MIN: (d) => String(date(d).getUTCMinutes()),
      TIME_MON: (d) => String(date(d).getUTCMonth() + 1),
      TIME_SEC: (d) => String(date(d).getUTCSeconds()),
      TIME_WDAY: (d) => String(date(d).getUTCDay()),
      TIME_YEAR: (d) => String(date(d).getUTCFullYear()),
    },
    true,
  ),
];
