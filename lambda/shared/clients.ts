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
   * The retry strategy, in place of the one `retryMode: 'adaptive'` builds with `maxAttempts`. Tests pass the SDK's
   * AdaptiveRetryStrategy with waits of 0 (test/lambda/compliance-checker/fake-account.ts `instantRetry`) so a retried
   * call costs no real time.
   * @default - the SDK's adaptive strategy: exponential backoff with jitter, client-side rate limiting
   */
  readonly retryStrategy?: RetryStrategyV2;
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
    ...(opts.retryStrategy ? { retryStrategy: opts.retryStrategy } : {}),
  };
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
