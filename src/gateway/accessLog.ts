/**
 * The access log: one JSON line per request through pino with an asynchronous destination (no
 * pretty printing on the hot path; pino's sonic-boom buffers and writes in the background).
 */
import { destination, type Logger, pino, stdTimeFunctions } from "pino";

export interface AccessRecord {
  id: string;
  ip: string;
  method: string;
  path: string;
  route: string;
  target: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  ms: number;
  upstreamMs: number;
  decision: string;
}

export interface AccessLog {
  write(rec: AccessRecord): void;
  /** Writes out what is buffered, then releases the destination (shutdown). */
  close(): Promise<void>;
}

/** `dest`: "stdout", "off", or a file path (appended to). */
export function createAccessLog(dest: string): AccessLog {
  if (dest === "off") return { write() {}, close: async () => {} };
  const stream = destination({
    dest: dest === "stdout" ? 1 : dest,
    sync: false,
    minLength: 4096,
    mkdir: true,
  });
  const logger: Logger = pino(
    {
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      messageKey: "msg",
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return fromLogger(logger, async () => {
    // sonic-boom's flush waits for the file to be open; errors (disk full) must not block shutdown.
    await new Promise<void>((resolve) => stream.flush(() => resolve()));
    if (dest !== "stdout") {
      await new Promise<void>((resolve) => {
        stream.once("close", () => resolve());
        stream.end();
      });
    }
  });
}

/** Access log into an existing pino logger (tests, embedding). */
export function fromLogger(logger: Logger, close: () => Promise<void> = async () => {}): AccessLog {
  return {
    write(rec) {
      logger.info(rec);
    },
    close,
  };
}
