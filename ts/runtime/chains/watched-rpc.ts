// A transport over several RPC URLs of one chain that notices when one stops answering: each URL
// is a viem `http` transport with a short request timeout and no retries, behind viem's
// `fallback` (a request that gets no answer goes to the next URL). A URL whose request got no
// answer (timeout, connection refused or reset, HTTP error) is marked down and, when there are
// others, skipped at once (no request waits on it again) until a probe (eth_chainId, every `probeMs`) gets an answer; the
// change is reported both ways through `onChange`, naming the host only (URLs carry API keys).
// An answer that is an error (a revert, an unknown method) is an answer: the URL stays up.
import { BaseError, fallback, http, HttpRequestError, TimeoutError, type Transport } from "viem";
import { hostOf, shortError } from "./errors.js";

export interface RpcHealthChange {
  readonly host: string;
  readonly up: boolean;
  /** down: why (the error); up: how long it was down, in ms. */
  readonly error?: string;
  readonly downMs?: number;
}

export interface WatchedRpcOptions {
  /** Milliseconds a request may wait for an answer (default 400: well under a 1 s block). */
  readonly timeoutMs?: number;
  /** How often a URL marked down is probed, in ms (default 100). */
  readonly probeMs?: number;
  readonly onChange?: (c: RpcHealthChange) => void;
}

export interface WatchedRpc {
  readonly transport: Transport;
  /** Hosts, in the order they are tried, and whether each answers. */
  status(): { host: string; up: boolean }[];
  /** True when every URL is down. */
  allDown(): boolean;
  /** Stop probing. */
  close(): void;
}

/** The request went out and got no answer (timeout, connection refused or reset): the node may or may not have acted on it. */
export const isNoAnswer = (e: unknown): boolean => e instanceof BaseError && e.walk((x) => x instanceof HttpRequestError || x instanceof TimeoutError) !== null;

/** A URL marked down: the request was not sent. */
class Down extends Error {
  constructor(host: string) {
    super(`RPC ${host} is not answering (marked down; probed until it answers)`);
  }
}

/** The request was not sent: every URL it could go to is marked down. */
export const isNotSent = (e: unknown): boolean => e instanceof Down || (e instanceof BaseError && e.walk((x) => x instanceof Down) !== null);

/** No RPC answered the request (not sent, or sent without an answer). */
export const isUnreachable = (e: unknown): boolean => isNoAnswer(e) || isNotSent(e);

interface Endpoint {
  readonly url: string;
  readonly host: string;
  downSince: number | undefined;
  probing: boolean;
}

/** One transport over `urls` (tried in order), with outage detection and recovery probes. */
export function watchedRpc(urls: readonly string[], opts: WatchedRpcOptions = {}): WatchedRpc {
  if (!urls.length) throw new Error("no RPC URL given");
  const timeout = opts.timeoutMs ?? 400;
  if (!Number.isFinite(timeout) || timeout < 10) throw new Error(`the RPC request timeout must be at least 10 ms, got ${timeout}`);
  const probeMs = opts.probeMs ?? 100;
  const endpoints: Endpoint[] = [...new Set(urls)].map((url) => ({ url, host: hostOf(url), downSince: undefined, probing: false }));
  const inner = endpoints.map((e) => http(e.url, { timeout, retryCount: 0 }));
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const markDown = (e: Endpoint, error: unknown): void => {
    if (e.downSince !== undefined || closed) return;
    e.downSince = Date.now();
    opts.onChange?.({ host: e.host, up: false, error: shortError(error) });
    probe(e, inner[endpoints.indexOf(e)]!);
  };
  const markUp = (e: Endpoint): void => {
    if (e.downSince === undefined) return;
    const downMs = Date.now() - e.downSince;
    e.downSince = undefined;
    opts.onChange?.({ host: e.host, up: true, downMs });
  };
  const probe = (e: Endpoint, t: Transport): void => {
    if (closed || e.downSince === undefined) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed || e.downSince === undefined) return;
      t({ retryCount: 0 })
        .request({ method: "eth_chainId" })
        .then(
          () => markUp(e),
          (err: unknown) => (isNoAnswer(err) ? probe(e, t) : markUp(e)),
        );
    }, probeMs);
    timers.add(timer);
  };

  // Each URL: skipped at once while down; a request without an answer marks it down.
  const guarded = endpoints.map((e, i): Transport => (params) => {
    const t = inner[i]!(params);
    return {
      ...t,
      async request(args, options) {
        // Skipped while down when another URL may answer; the only URL is always tried (nowhere else to go, and a
        // timeout under a burst of the caller's own requests must not turn into an outage of its own making).
        if (e.downSince !== undefined && endpoints.length > 1) throw new Down(e.host);
        try {
          return await t.request(args, options);
        } catch (err) {
          if (isNoAnswer(err)) markDown(e, err);
          throw err;
        }
      },
    } as ReturnType<Transport>;
  });
  const transport = guarded.length === 1 ? guarded[0]! : fallback(guarded, { retryCount: 0 });

  return {
    transport,
    status: () => endpoints.map((e) => ({ host: e.host, up: e.downSince === undefined })),
    allDown: () => endpoints.every((e) => e.downSince !== undefined),
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
