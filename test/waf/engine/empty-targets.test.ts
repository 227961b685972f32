/**
 * Rules whose targets are all request collections are skipped when those collections are empty:
 * never evaluated (the profile sees no call), with the same results as evaluating them, and
 * without disturbing `skip`, counts (`&ARGS`) or SecActions.
 */
import { describe, expect, it } from "vitest";
import { enableProfile } from "../../../src/waf/engine/index.js";
import { loadWaf } from "../../../src/waf/index.js";
import { ids, run, txVar } from "./helpers.js";

const RULES = `SecRuleEngine On
SecRule ARGS|ARGS_NAMES|REQUEST_COOKIES "@unconditionalMatch" "id:10,phase:1,pass,log,setvar:tx.args=1"
SecRule !ARGS "@rx ." "id:11,phase:1,pass,log,setvar:tx.never=1"
SecRule &ARGS "@eq 0" "id:12,phase:1,pass,log,setvar:tx.count=1"
SecRule ARGS|REQUEST_URI "@rx ." "id:13,phase:1,pass,log,setvar:tx.mixed=1"
SecAction "id:14,phase:1,pass,nolog,skip:1"
SecRule ARGS "@unconditionalMatch" "id:15,phase:1,pass,log,setvar:tx.skipped=1"
SecAction "id:16,phase:1,pass,log,setvar:tx.after=1"
`;

const load = () => loadWaf({ sources: [{ name: "empty.conf", text: RULES }] });
const calls = (rs: ReturnType<typeof load>, id: number): number =>
  rs.profile?.rules().find((e) => e.rule.id === id)?.calls ?? 0;

describe("rules over empty request collections", () => {
  it("are not evaluated when every target is empty", () => {
    const rs = load();
    enableProfile(rs);
    const tx = run(rs, { uri: "/plain" });
    expect(calls(rs, 10)).toBe(0);
    expect(txVar(tx, "args")).toBeUndefined();
    // Counts, rules with another target and SecActions still run; skip:1 still skips rule 15.
    expect(calls(rs, 12)).toBe(1);
    expect(txVar(tx, "count")).toBe("1");
    expect(txVar(tx, "mixed")).toBe("1");
    expect(calls(rs, 15)).toBe(0);
    expect(txVar(tx, "after")).toBe("1");
    expect(ids(tx)).toEqual([12, 13, 16]);
  });

  it("are evaluated as soon as one of their collections holds a value", () => {
    const rs = load();
    enableProfile(rs);
    const withArg = run(rs, { uri: "/plain?q=1" });
    expect(calls(rs, 10)).toBe(1);
    expect(txVar(withArg, "args")).toBe("1");
    const withCookie = run(rs, {
      uri: "/plain",
      headers: [
        ["Host", "shop.example"],
        ["Cookie", "a=b"],
      ],
    });
    expect(txVar(withCookie, "args")).toBe("1");
    expect(txVar(withCookie, "count")).toBe("1");
    // skip:1 skips rule 15 whether or not it could match.
    expect(txVar(withArg, "skipped")).toBeUndefined();
  });
});
