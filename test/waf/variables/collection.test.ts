/**
 * Collection: an ordered multi-map with case-insensitive keys. `set` replaces a single value in
 * place (TX semantics), also after removals shifted the list under its position hints.
 */
import { describe, expect, it } from "vitest";
import { Collection } from "../../../src/waf/variables/collection.js";

const view = (c: Collection): string[] => c.entries.map((e) => `${e.key}=${e.value}`);

describe("Collection", () => {
  it("keeps insertion order and finds keys in any case", () => {
    const c = new Collection("ARGS");
    c.add("A", "1");
    c.add("b", "2");
    c.add("a", "3");
    expect(view(c)).toEqual(["A=1", "b=2", "a=3"]);
    expect(c.get("a").map((e) => e.value)).toEqual(["1", "3"]);
    expect(c.first("b")?.name).toBe("ARGS:b");
  });

  it("replaces a single value in place, keeping its position", () => {
    const c = new Collection("TX");
    for (const k of ["x", "y", "z"]) c.set(k, "0");
    c.set("Y", "1");
    expect(view(c)).toEqual(["x=0", "Y=1", "z=0"]);
    expect(c.get("y")).toHaveLength(1);
  });

  it("still replaces in place after a removal shifted the list", () => {
    const c = new Collection("TX");
    for (const k of ["a", "b", "c", "d"]) c.set(k, "0");
    c.remove("b");
    c.set("d", "1");
    c.set("c", "2");
    c.set("a", "3");
    expect(view(c)).toEqual(["a=3", "c=2", "d=1"]);
    c.set("e", "4");
    c.remove("a");
    c.set("e", "5");
    expect(view(c)).toEqual(["c=2", "d=1", "e=5"]);
  });

  it("collapses several values under one key into one", () => {
    const c = new Collection("TX");
    c.add("k", "1");
    c.add("other", "x");
    c.add("K", "2");
    c.set("k", "3");
    expect(view(c)).toEqual(["other=x", "k=3"]);
  });
});
