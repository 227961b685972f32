/**
 * A load generator for drills: shoppers behind distinct addresses (X-Forwarded-For from loopback,
 * which the gateway trusts by default) browsing, searching, filling carts and checking out at a
 * target rate that the scenario changes as it goes (steady, then a surge, then back).
 *
 * Open loop: requests are issued on a clock at the target rate whatever the answers take, as real
 * shoppers do (a closed loop slows down with the server and hides an overload). In-flight requests
 * are capped so that the generator itself stays bounded; requests that the cap holds back are
 * counted as `held`, never silently lost.
 *
 * What it records is what the drill reports and what a postmortem's computed impact is checked
 * against: requests and failures per second, which clients ever failed, checkouts and failed ones.
 */
import { Agent, request } from "undici";
import { catalog } from "./shop/catalog.js";

export type ShopAction = "browse" | "product" | "search" | "cart" | "checkout";

export interface LoadOptions {
  /** The gateway's base URL. */
  readonly url: string;
  /** Distinct shoppers (addresses 10.x.y.z); default 200. */
  readonly clients?: number;
  /** Initial rate, requests per second. */
  readonly rps: number;
  /** Share of each action; default browse 45, product 25, search 10, cart 12, checkout 8. */
  readonly mix?: Partial<Record<ShopAction, number>>;
  /** In-flight cap; default 2000. */
  readonly maxInFlight?: number;
  /** Per-request timeout; default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** A request fails when the shopper did not get what they asked: 5xx, 429, a WAF block, a timeout. */
function failed(status: number): boolean {
  return status >= 500 || status === 429 || status === 403 || status === 0;
}

export interface SecondTally {
  /** Unix second the requests were sent in. */
  readonly t: number;
  sent: number;
  failed: number;
}

/** The tallies of the requests sent within a time window. */
export interface WindowTally {
  readonly sent: number;
  readonly failed: number;
  readonly clients: { readonly total: number; readonly failed: number };
  readonly checkouts: { readonly sent: number; readonly failed: number };
}

export interface LoadReport {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly held: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly clients: { readonly total: number; readonly failed: number };
  readonly checkouts: { readonly sent: number; readonly failed: number };
  readonly perSecond: readonly SecondTally[];
}

const DEFAULT_MIX: Record<ShopAction, number> = {
  browse: 45,
  product: 25,
  search: 10,
  cart: 12,
  checkout: 8,
};
const PRODUCT_IDS = catalog.map((p) => p.id);
const SEARCH_WORDS = ["mug", "hoodie", "stickers", "cap", "handbook", "socks"];

function clientAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export class LoadGenerator {
  readonly #opts: LoadOptions;
  readonly #agent: Agent;
  readonly #now: () => number;
  readonly #clients: number;
  readonly #cumulative: Array<[ShopAction, number]>;
  readonly #mixTotal: number;
  #rps: number;
  #timer: NodeJS.Timeout | undefined;
  /** When the rate last changed, and the requests issued (or held) since. */
  #rateSince = 0;
  #issuedSinceRate = 0;
  #inFlight = 0;
  #pending = new Set<Promise<void>>();
  #sent = 0;
  #ok = 0;
  #failed = 0;
  #held = 0;
  readonly #byStatus = new Map<number, number>();
  readonly #clientsSeen = new Set<number>();
  readonly #clientsFailed = new Set<number>();
  #checkouts = 0;
  #checkoutsFailed = 0;
  readonly #seconds = new Map<number, SecondTally>();
  #seq = 0;
  /** One entry per answered request, for windows: send time (ms), client, flags (1 failed, 2 checkout). */
  #logAt = new Float64Array(4096);
  #logClient = new Uint32Array(4096);
  #logFlags = new Uint8Array(4096);
  #logLength = 0;

  constructor(opts: LoadOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#clients = Math.max(1, opts.clients ?? 200);
    this.#rps = Math.max(0, opts.rps);
    this.#agent = new Agent({ connections: 256, pipelining: 0, keepAliveTimeout: 10_000 });
    const mix = { ...DEFAULT_MIX, ...opts.mix };
    let acc = 0;
    this.#cumulative = (Object.keys(mix) as ShopAction[]).map((a) => {
      acc += Math.max(0, mix[a]);
      return [a, acc];
    });
    this.#mixTotal = acc;
  }

  get rps(): number {
    return this.#rps;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#rateSince = this.#now();
    this.#timer = setInterval(() => this.#tick(), 5);
  }

  /** Changes the target rate from now on. */
  setRate(rps: number): void {
    this.#tick();
    this.#issuedSinceRate = 0;
    this.#rateSince = this.#now();
    this.#rps = Math.max(0, rps);
  }

  /** Stops issuing, waits for the requests in flight, and reports. */
  async stop(): Promise<LoadReport> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#pending]);
    await this.#agent.close();
    return this.report();
  }

  /** The figures so far (the generator may still be running). */
  report(): LoadReport {
    return {
      sent: this.#sent,
      ok: this.#ok,
      failed: this.#failed,
      held: this.#held,
      byStatus: Object.fromEntries([...this.#byStatus].map(([s, n]) => [String(s), n])),
      clients: { total: this.#clientsSeen.size, failed: this.#clientsFailed.size },
      checkouts: { sent: this.#checkouts, failed: this.#checkoutsFailed },
      perSecond: [...this.#seconds.values()].sort((a, b) => a.t - b.t).map((s) => ({ ...s })),
    };
  }

  /** What the shoppers lived through for the requests sent in [fromMs, toMs). */
  window(fromMs: number, toMs: number): WindowTally {
    let sent = 0;
    let failedCount = 0;
    let checkouts = 0;
    let checkoutsFailed = 0;
    const clients = new Set<number>();
    const clientsFailed = new Set<number>();
    for (let i = 0; i < this.#logLength; i++) {
      const at = this.#logAt[i]!;
      if (at < fromMs || at >= toMs) continue;
      const client = this.#logClient[i]!;
      const flags = this.#logFlags[i]!;
      sent++;
      clients.add(client);
      if (flags & 2) checkouts++;
      if (flags & 1) {
        failedCount++;
        clientsFailed.add(client);
        if (flags & 2) checkoutsFailed++;
      }
    }
    return {
      sent,
      failed: failedCount,
      clients: { total: clients.size, failed: clientsFailed.size },
      checkouts: { sent: checkouts, failed: checkoutsFailed },
    };
  }

  #log(at: number, client: number, flags: number): void {
    if (this.#logLength === this.#logAt.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.#logAt = grow(this.#logAt, (n) => new Float64Array(n));
      this.#logClient = grow(this.#logClient, (n) => new Uint32Array(n));
      this.#logFlags = grow(this.#logFlags, (n) => new Uint8Array(n));
    }
    this.#logAt[this.#logLength] = at;
    this.#logClient[this.#logLength] = client;
    this.#logFlags[this.#logLength] = flags;
    this.#logLength++;
  }

  #tick(): void {
    const elapsed = (this.#now() - this.#rateSince) / 1000;
    const due = Math.floor(elapsed * this.#rps) - this.#issuedSinceRate;
    for (let i = 0; i < due; i++) {
      this.#issuedSinceRate++;
      if (this.#inFlight >= (this.#opts.maxInFlight ?? 2000)) {
        this.#held++;
        continue;
      }
      this.#issue();
    }
  }

  #pick(): ShopAction {
    const r = Math.random() * this.#mixTotal;
    for (const [a, upTo] of this.#cumulative) if (r < upTo) return a;
    return "browse";
  }

  #issue(): void {
    const client = Math.floor(Math.random() * this.#clients);
    const action = this.#pick();
    const n = ++this.#seq;
    const headers: Record<string, string> = {
      "x-forwarded-for": clientAddress(client),
      "user-agent": "rampart-drill/1",
    };
    let path = "/";
    let method: "GET" | "POST" = "GET";
    let body: string | undefined;
    switch (action) {
      case "product":
        path = `/product/${PRODUCT_IDS[n % PRODUCT_IDS.length]}`;
        break;
      case "search":
        path = `/search?q=${SEARCH_WORDS[n % SEARCH_WORDS.length]}`;
        break;
      case "cart":
        method = "POST";
        path = "/cart";
        body = `id=${PRODUCT_IDS[n % PRODUCT_IDS.length]}&qty=1`;
        headers["content-type"] = "application/x-www-form-urlencoded";
        break;
      case "checkout":
        method = "POST";
        path = "/checkout";
        body = "";
        headers["content-type"] = "application/x-www-form-urlencoded";
        break;
      default:
        break;
    }
    const sentAt = this.#now();
    const second = Math.floor(sentAt / 1000);
    let tally = this.#seconds.get(second);
    if (tally === undefined) {
      tally = { t: second, sent: 0, failed: 0 };
      this.#seconds.set(second, tally);
    }
    const slot = tally;
    this.#sent++;
    this.#inFlight++;
    this.#clientsSeen.add(client);
    if (action === "checkout") this.#checkouts++;
    const timeoutMs = this.#opts.timeoutMs ?? 10_000;
    const p = request(new URL(path, this.#opts.url), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
      .then(async (res) => {
        await res.body.dump();
        return res.statusCode;
      })
      .catch(() => 0)
      .then((status) => {
        this.#inFlight--;
        this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
        const bad = failed(status);
        this.#log(sentAt, client, (bad ? 1 : 0) | (action === "checkout" ? 2 : 0));
        if (bad) {
          this.#failed++;
          slot.failed++;
          this.#clientsFailed.add(client);
          if (action === "checkout") this.#checkoutsFailed++;
        } else {
          this.#ok++;
        }
      });
    slot.sent++;
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }
}
