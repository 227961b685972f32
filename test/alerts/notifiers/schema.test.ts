/** alerts.receivers: what is accepted (with defaults filled in) and each mistake's path and message. */
import { describe, expect, it } from "vitest";
import { receiversSchema } from "../../../src/alerts/notifiers/schema.js";

const retry = { maxAttempts: 10, initialDelayMs: 2000, maxDelayMs: 300_000, maxAgeMs: 21_600_000 };

describe("valid receivers, with defaults", () => {
  it.each([
    [
      "webhook by URL",
      { type: "webhook", url: "https://hooks.example/a", headers: { "x-team": "shop" } },
      {
        type: "webhook",
        url: "https://hooks.example/a",
        headers: { "x-team": "shop" },
        timeoutMs: 10_000,
        retry,
      },
    ],
    [
      "slack by environment variable",
      { type: "slack", urlEnv: "SLACK_URL", channel: "#ops" },
      { type: "slack", urlEnv: "SLACK_URL", channel: "#ops", timeoutMs: 10_000, retry },
    ],
    [
      "pagerduty with the default URL",
      { type: "pagerduty", routingKeyEnv: "PD_KEY" },
      {
        type: "pagerduty",
        routingKeyEnv: "PD_KEY",
        url: "https://events.pagerduty.com/v2/enqueue",
        timeoutMs: 10_000,
        retry,
      },
    ],
    [
      "email with STARTTLS on 587 by default",
      {
        type: "email",
        host: "smtp.example",
        from: "Rampart <r@shop.example>",
        to: ["ops@shop.example"],
        user: "r",
        passwordEnv: "SMTP_PW",
      },
      {
        type: "email",
        host: "smtp.example",
        port: 587,
        secure: false,
        user: "r",
        passwordEnv: "SMTP_PW",
        from: "Rampart <r@shop.example>",
        to: ["ops@shop.example"],
        timeoutMs: 10_000,
        retry,
      },
    ],
    [
      "retry settings in part",
      { type: "webhook", url: "http://10.0.0.1:9000/", timeoutMs: 500, retry: { maxAttempts: 3 } },
      { type: "webhook", url: "http://10.0.0.1:9000/", timeoutMs: 500, retry: { ...retry, maxAttempts: 3 } },
    ],
  ])("%s", (_, input, expected) => {
    expect(receiversSchema.parse({ r: input })).toEqual({ r: expected });
  });
});

describe("mistakes", () => {
  it.each([
    [
      "an unknown type",
      { type: "teams", url: "https://x" },
      ["r", "type"],
      "type must be one of webhook, slack, pagerduty, email",
    ],
    [
      "a misspelt key",
      { type: "webhook", url: "https://x", header: {} },
      ["r"],
      "Unrecognized key(s) in object: 'header'",
    ],
    ["no URL", { type: "slack" }, ["r", "url"], "url or urlEnv is required"],
    [
      "both spellings of a secret",
      { type: "webhook", url: "https://x", urlEnv: "X" },
      ["r", "urlEnv"],
      "give url or urlEnv, not both",
    ],
    ["no routing key", { type: "pagerduty" }, ["r", "routingKey"], "routingKey or routingKeyEnv is required"],
    [
      "a URL that is not http",
      { type: "webhook", url: "ftp://x/y" },
      ["r", "url"],
      "must be an http:// or https:// URL",
    ],
    ["not a URL", { type: "webhook", url: "hooks" }, ["r", "url"], "is not a URL (use https://host/path)"],
    [
      "a bad variable name",
      { type: "webhook", urlEnv: "MY-URL" },
      ["r", "urlEnv"],
      "is not an environment variable name (use NAME_LIKE_THIS)",
    ],
    [
      "a bad header name",
      { type: "webhook", url: "https://x", headers: { "x team": "a" } },
      ["r", "headers", "x team"],
      "is not a header name",
    ],
    [
      "no recipient",
      { type: "email", host: "h", from: "a@b.example", to: [] },
      ["r", "to"],
      "must list at least one address",
    ],
    [
      "a bad recipient",
      { type: "email", host: "h", from: "a@b.example", to: ["ops"] },
      ["r", "to", 0],
      "is not an email address",
    ],
    [
      "a password without a user",
      { type: "email", host: "h", from: "a@b.example", to: ["o@b.example"], password: "p" },
      ["r", "user"],
      "a password needs a user",
    ],
    [
      "delays the wrong way round",
      { type: "webhook", url: "https://x", retry: { initialDelayMs: 5000, maxDelayMs: 1000 } },
      ["r", "retry", "maxDelayMs"],
      "maxDelayMs must be at least initialDelayMs",
    ],
    [
      "zero attempts",
      { type: "webhook", url: "https://x", retry: { maxAttempts: 0 } },
      ["r", "retry", "maxAttempts"],
      "Number must be greater than or equal to 1",
    ],
  ])("%s", (_, input, path, message) => {
    const result = receiversSchema.safeParse({ r: input });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([
      { path, message },
    ]);
  });

  it("a receiver name that is not a name", () => {
    const result = receiversSchema.safeParse({ "on call": { type: "webhook", url: "https://x" } });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "must be 1-64 letters, digits, '-', '_' or '.'",
    ]);
  });
});
