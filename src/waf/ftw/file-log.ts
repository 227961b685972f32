/**
 * An ftw target's error log read from a file that another process writes (nginx + ModSecurity,
 * Apache, or a Rampart gateway started elsewhere): lines are read incrementally from where the last
 * read stopped, so a long run stays linear.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export class FileLogLines {
  private readonly lines: string[] = [];
  private offset: number;
  private partial = "";

  constructor(private readonly path: string) {
    const fd = openSync(path, "r");
    try {
      this.offset = fstatSync(fd).size; // only what is written from now on
    } finally {
      closeSync(fd);
    }
  }

  read(): readonly string[] {
    const fd = openSync(this.path, "r");
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // rotated or truncated
      if (size > this.offset) {
        const buf = Buffer.alloc(size - this.offset);
        readSync(fd, buf, 0, buf.length, this.offset);
        this.offset = size;
        const text = this.partial + buf.toString("latin1");
        const parts = text.split("\n");
        this.partial = parts.pop() ?? "";
        for (const p of parts) this.lines.push(p);
      }
    } finally {
      closeSync(fd);
    }
    return this.lines;
  }
}
