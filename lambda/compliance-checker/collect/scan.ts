/**
 * What every service reader of one collection shares: the facts found so far, the errors and vanished resources,
 * the concurrency limit and page size, and the one fault model (per resource, never for the whole scan):
 * - not found: the resource was deleted between list and describe. Dropped, logged, counted.
 * - access denied (or any other error left after the SDK's own retries): an explicit `ScanError` naming the resource,
 *   the operation and the error code. Callers decide what an error means (report it, fail the gate).
 */
import { withCaptureDestinations } from '../../../core/policy/capture-destinations';
import { DEFAULT_SCAN_CONCURRENCY } from '../../../core/contracts/compliance-checker';
import type { ResourceFacts } from '../../../core/policy/facts';
import { mapLimit } from '../../shared/clients';
import { awsErrorName, isAccessDenied, isNotFound } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { CollectedKind, CollectResult, NotFound, ScanError } from './types';

export const SKIPPED = Symbol('skipped');
export type Attempt<T> = T | typeof SKIPPED;

export interface ScanOptions {
  readonly concurrency?: number;
  readonly pageSize?: number;
  readonly region?: string;
}

/** Every item of every page, in order. */
export async function allPages<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined) {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/** One per collection: its state lives as long as the scan. */
export class Scan {
  readonly concurrency: number;
  readonly pageSize: number;
  private readonly region?: string;
  private readonly facts = new Map<string, ResourceFacts>();
  private readonly errors: ScanError[] = [];
  private readonly notFound: NotFound[] = [];

  constructor(
    readonly logger: Logger,
    opts: ScanOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? DEFAULT_SCAN_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${String(opts.concurrency)}`);
    }
    this.pageSize = opts.pageSize ?? 100;
    this.region = opts.region;
  }

  /** Runs `fn` over `items` with at most `concurrency` in flight. */
  each<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
    return mapLimit(items, this.concurrency, fn);
  }

  add(f: ResourceFacts): void {
    // By kind and id: a role's trust policy (Role) and its inline policies (IdentityPolicy) share the role's ARN.
    this.facts.set(`${f.kind}|${f.id}`, f);
  }

  resources(): ResourceFacts[] {
    return [...this.facts.values()];
  }

  result(): CollectResult {
    // Buckets an endpoint captures to are data-capture buckets for the retention rule, tagged or not.
    return {
      resources: withCaptureDestinations(this.resources()),
      errors: [...this.errors],
      notFound: [...this.notFound],
    };
  }

  /** Runs one call for one resource; turns not-found and other failures into recorded entries. */
  async attempt<T>(
    kind: CollectedKind,
    resource: string,
    operation: string,
    fn: () => Promise<T>,
  ): Promise<Attempt<T>> {
    try {
      return await fn();
    } catch (err) {
      if (isNotFound(err)) {
        this.notFound.push({ resourceKind: kind, resource });
        this.logger.info('resource not found (deleted during the scan?); dropped', {
          resourceKind: kind,
          resource,
          operation,
        });
        return SKIPPED;
      }
      this.recordError(kind, resource, operation, err);
      return SKIPPED;
    }
  }

  /** A resource a judged one refers to that does not exist (e.g. a model's deleted execution role). */
  notFoundEntry(kind: CollectedKind, resource: string): void {
    this.notFound.push({ resourceKind: kind, resource });
    this.logger.info('resource not found; dropped', { resourceKind: kind, resource });
  }

  /** A listing: a failure is one error for the kind (`*`), and nothing listed. */
  async list<T>(kind: CollectedKind, operation: string, fn: () => Promise<T[]>): Promise<T[]> {
    try {
      return await fn();
    } catch (err) {
      this.recordError(kind, '*', operation, err);
      return [];
    }
  }

  recordError(kind: CollectedKind, resource: string, operation: string, err: unknown): void {
    const entry: ScanError = {
      resourceKind: kind,
      resource,
      operation,
      code: awsErrorName(err) ?? 'Error',
      message: err instanceof Error ? err.message : String(err),
      accessDenied: isAccessDenied(err),
      ...(this.region !== undefined ? { region: this.region } : {}),
    };
    this.errors.push(entry);
    this.logger.error('could not read resource; recorded as a scan error', { ...entry });
  }
}
