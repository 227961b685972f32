/** The series reader: timestamp formats, odd files, errors that name the line. */
import { describe, expect, it } from "vitest";
import { parseSeries, parseTimestamp } from "../../../src/monitor/nab/csv.js";
import { SeriesError } from "../../../src/monitor/nab/errors.js";

describe("parseTimestamp", () => {
  it.each([
    ["2014-04-01 00:00:00", Date.UTC(2014, 3, 1)],
    ["2014-04-10 07:15:00.000000", Date.UTC(2014, 3, 10, 7, 15)],
    ["2014-04-10T07:15:00Z", Date.UTC(2014, 3, 10, 7, 15)],
    ["2014-04-10T09:15:00+02:00", Date.UTC(2014, 3, 10, 7, 15)],
    ["2014-04-10 07:15", Date.UTC(2014, 3, 10, 7, 15)],
    ["2014-04-10 07:15:00.5", Date.UTC(2014, 3, 10, 7, 15, 0, 500)],
    ["1700000000", 1_700_000_000_000],
    ["1700000000.25", 1_700_000_000_250],
  ])("%s", (text, ms) => expect(parseTimestamp(text)).toBe(ms));

  it("keeps sub-millisecond order", () => {
    expect(parseTimestamp("2014-04-10 07:15:00.000002")).toBeGreaterThan(
      parseTimestamp("2014-04-10 07:15:00.000001"),
    );
  });

  it.each([
    "",
    "yesterday",
    "2014-13-01 00:00:00",
    "2014-04-32 00:00:00",
    "2014-04-01 24:00:00",
    "2014-04-01 00:60:00",
    "0x10",
    "NaN",
  ])("%j is not a timestamp", (text) => expect(parseTimestamp(text)).toBeNaN());
});

describe("parseSeries", () => {
  it("reads NAB's format with a BOM, CRLF line ends, extra columns and a trailing blank line", () => {
    const s = parseSeries(
      "\uFEFFtimestamp,value,label\r\n2014-04-01 00:00:00,20.5,0\r\n2014-04-01 00:05:00,-3e2,1\r\n\r\n",
    );
    expect([...s.values]).toEqual([20.5, -300]);
    expect(s.timestampText).toEqual(["2014-04-01 00:00:00", "2014-04-01 00:05:00"]);
    expect(s.valueText).toEqual(["20.5", "-3e2"]);
  });

  it("accepts repeated timestamps (NAB's files have some), refuses going back", () => {
    expect(parseSeries("timestamp,value\n1,1\n1,2\n2,3\n").values.length).toBe(3);
    expect(() => parseSeries("timestamp,value\n2,1\n1,2\n")).toThrow(/:3: timestamp 1 is earlier/);
  });

  it.each([
    ["timestamp,value\n1,\n", ':2: "" is not a number'],
    ["timestamp,value\n1,1e999\n", ':2: "1e999" is not a finite number'],
    ["timestamp,value\n1,\uFFFD\n", ':2: "\uFFFD" is not a number'],
    ["value,timestamp\n1,1\n", ":1: header"],
  ])("%j fails: %s", (text, message) => {
    try {
      parseSeries(text, "f.csv");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SeriesError);
      expect((err as SeriesError).code).toMatch(/_INVALID$/);
      expect((err as SeriesError).message).toContain(message);
    }
  });

  it("reads 1 000 000 rows in linear time", () => {
    const rows = Array.from({ length: 1_000_000 }, (_, i) => `${i},${i % 100}`);
    const start = performance.now();
    const s = parseSeries(`timestamp,value\n${rows.join("\n")}`);
    expect(s.values.length).toBe(1_000_000);
    expect(performance.now() - start).toBeLessThan(10_000); // a hang guard, not a speed target
  });
});
