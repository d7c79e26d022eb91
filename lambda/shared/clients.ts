/**
 * Client configuration every Lambda uses: explicit retry mode and attempts (throttling is normal at scale),
 * and an optional endpoint override so tests and benchmarks reach the local emulator with real clients.
 */
import type { RetryStrategyV2 } from '@smithy/types';

export interface ClientOptions {
  readonly region?: string;
  readonly endpoint?: string;
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  readonly forcePathStyle?: boolean;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Milliseconds to wait before retry `n` (0-based), in place of every wait of adaptive mode (its backoff and its
   * client-side rate limiter); attempts, and which errors are retried, stay the SDK's. Tests pass `() => 0` so a
   * retried call costs no real time.
   * @default - the SDK's exponential backoff with jitter (longer for throttling)
   */
  readonly retryBackoff?: (retry: number) => number;
}

export interface SdkClientConfig {
  region?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive' | 'standard';
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  retryStrategy?: RetryStrategyV2;
}

/** Adaptive retry adds client-side rate limiting on throttling errors on top of standard exponential backoff. */
export function clientConfig(opts: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): SdkClientConfig {
  const endpoint = opts.endpoint ?? env.AWS_ENDPOINT_URL;
  const maxAttempts = opts.maxAttempts ?? 5;
  return {
    ...((opts.region ?? env.AWS_REGION) ? { region: opts.region ?? env.AWS_REGION } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: opts.forcePathStyle ?? true } : {}),
    ...(opts.credentials ? { credentials: { ...opts.credentials } } : {}),
    maxAttempts,
    retryMode: 'adaptive',
    ...(opts.retryBackoff ? { retryStrategy: adaptiveRetry(maxAttempts, opts.retryBackoff) } : {}),
  };
}

/** The adaptive strategy `retryMode: 'adaptive'` builds, waiting only as long as `backoff` says. */
function adaptiveRetry(maxAttempts: number, backoff: (retry: number) => number): RetryStrategyV2 {
  // Loaded only here: production clients never pass a backoff, so a cold start does not read this module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AdaptiveRetryStrategy } = require('@smithy/core/retry') as typeof import('@smithy/core/retry');
  return new AdaptiveRetryStrategy(maxAttempts, {
    backoff: { computeNextBackoffDelay: backoff, setDelayBase: () => undefined },
    rateLimiter: { getSendToken: () => Promise.resolve(), updateClientSendingRate: () => undefined },
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * An object whose members are built on first access, once: a Lambda entry point builds only the SDK clients its
 * invocation uses (a pipeline gate never builds the Config or SNS client), and none at cold start.
 */
export function lazily<T extends object>(factories: { readonly [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(factories) as (keyof T)[]) {
    let value: T[keyof T] | undefined;
    Object.defineProperty(out, key, {
      enumerable: true,
      get: () => (value ??= factories[key]()),
    });
  }
  return out;
}
