/**
 * One JSON POST to a notification peer (webhook, Slack, PagerDuty), with a time limit and the
 * dispatcher's stop signal, classified into NotifierError (errors.ts says what retries). URLs of
 * these peers often carry the secret in their path (Slack's incoming webhooks do), so messages name
 * the origin only.
 */
import { NotifierError } from "./errors.js";

/** Enough of an error answer to say why, not a whole HTML page. */
const MAX_ERROR_TEXT = 300;
/** What is read of an answer at most; a peer that streams more is not waited for. */
const MAX_ANSWER_BYTES = 16 * 1024;

async function readSome(response: Response, max: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}

export interface JsonPost {
  readonly receiver: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborted when the dispatcher stops. */
  readonly signal: AbortSignal;
}

export interface JsonPostAnswer {
  readonly status: number;
  readonly text: string;
}

/** The origin only: the path and query of a webhook URL may be its secret. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Whether an HTTP status is worth another attempt (RFC 9110 §15.5.9, §15.5.20 of RFC 6585 for 429). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export async function postJson(post: JsonPost): Promise<JsonPostAnswer> {
  const timeout = AbortSignal.timeout(post.timeoutMs);
  const signal = AbortSignal.any([timeout, post.signal]);
  const where = originOf(post.url);
  let response: Response;
  let text: string;
  try {
    response = await fetch(post.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "rampart", ...post.headers },
      body: JSON.stringify(post.body),
      signal,
    });
    text = await readSome(response, MAX_ANSWER_BYTES);
  } catch (err) {
    if (post.signal.aborted) {
      throw new NotifierError(
        "NOTIFIER_INTERRUPTED",
        `receiver ${post.receiver}: stopped while sending to ${where}`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
    if (timeout.aborted) {
      throw new NotifierError(
        "NOTIFIER_TIMEOUT",
        `receiver ${post.receiver}: no answer from ${where} within ${post.timeoutMs} ms`,
        { retryable: true, cause: err },
      );
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new NotifierError(
      "NOTIFIER_UNREACHABLE",
      `receiver ${post.receiver}: cannot reach ${where}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      { retryable: true, cause: err },
    );
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, text };
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, MAX_ERROR_TEXT);
  const retryable = isRetryableStatus(response.status);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  throw new NotifierError(
    retryable ? "NOTIFIER_PEER_FAILED" : "NOTIFIER_REJECTED",
    `receiver ${post.receiver}: ${where} answered ${response.status}${snippet === "" ? "" : `: ${snippet}`}`,
    {
      retryable,
      status: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(retryable
        ? {}
        : { hint: "the peer refuses this request: check the receiver's URL, key and headers" }),
    },
  );
}
