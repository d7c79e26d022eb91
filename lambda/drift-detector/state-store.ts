/**
 * The detector's small state between invocations, kept as S3 objects under one prefix of a bucket (by default the
 * capture bucket itself: the same KMS key, retention, access logging and TLS-only policy as the data it is
 * derived from, and no new stateful resource):
 *
 *  - `<prefix><endpoint>/<variant>/files/<sha256(bucket, key, ETag)>`: one marker per judged capture-file version,
 *    written with `If-None-Match: *`, so a redelivered event (same bucket, key and ETag) finds it and publishes
 *    nothing. A failed run deletes its marker, so the retry judges the file.
 *  - `<prefix><endpoint>/<variant>/window.json`: the counts of recent files that were each below `minSamples`,
 *    replaced with `If-Match: <ETag>` (optimistic concurrency: a concurrent writer makes the loser re-read).
 *
 * Conditional writes are S3's own (PutObject If-None-Match / If-Match), which the local emulator implements too.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsErrorName } from '../shared/errors';
import { AccumulatorSnapshot } from './counting/snapshot';

/** A window of small files, judged together once it holds `minSamples` records. */
export interface WindowState {
  /** The baseline the counts were made against: a window of another baseline is discarded, never mixed. */
  readonly baselineId: string;
  /** When its first file was counted (ISO 8601). */
  readonly startedAt: string;
  readonly files: number;
  readonly counts: AccumulatorSnapshot;
}

export interface FileVersion {
  readonly bucket: string;
  readonly key: string;
  /** The object's ETag (quotes or not): a rewritten object is a new version and is judged again. */
  readonly etag: string;
}

export interface StreamDimensions {
  readonly endpointName: string;
  readonly variantName: string;
}

export interface DriftStateStore {
  /** Claims a file version for judging; false when it was already claimed (a redelivery): publish nothing then. */
  claimFile(file: FileVersion, dims: StreamDimensions): Promise<boolean>;
  /** Forgets a claim whose processing failed, so Lambda's retry judges the file. */
  releaseFile(file: FileVersion, dims: StreamDimensions): Promise<void>;
  /**
   * Replaces the window with `update(current)` (undefined: empty), retrying on a concurrent write; `update` may
   * run more than once and must be free of side effects beyond its return value.
   */
  updateWindow(dims: StreamDimensions, update: (current?: WindowState) => WindowState | undefined): Promise<void>;
}

/** Concurrent writers of one window are rare (reserved concurrency is small); this many re-reads is plenty. */
const MAX_WINDOW_ATTEMPTS = 5;

function streamPrefix(prefix: string, dims: StreamDimensions): string {
  return `${prefix}${dims.endpointName}/${dims.variantName}/`;
}

/** The marker key of a file version; hashing keeps it short and free of the source key's characters. */
export function fileMarkerKey(prefix: string, file: FileVersion, dims: StreamDimensions): string {
  const etag = file.etag.replace(/"/g, '');
  const id = createHash('sha256').update(`${file.bucket}\0${file.key}\0${etag}`).digest('hex');
  return `${streamPrefix(prefix, dims)}files/${id}`;
}

export function isPreconditionFailure(err: unknown): boolean {
  const name = awsErrorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  // 412: the condition failed; 409 ConditionalRequestConflict: another conditional write to the key is in flight.
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

export class S3StateStore implements DriftStateStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Ends with `/`, e.g. `drift-state/`. */
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
    /** Told when a window object cannot be read and is started afresh (its counts are lost, so it is said). */
    private readonly warn: (message: string, details: Record<string, unknown>) => void = () => undefined,
  ) {
    if (prefix !== '' && !prefix.endsWith('/'))
      throw new RangeError(`state prefix must end with "/", got "${prefix}" (e.g. "drift-state/")`);
  }

  async claimFile(file: FileVersion, dims: StreamDimensions): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: fileMarkerKey(this.prefix, file, dims),
          Body: JSON.stringify({ ...file, claimedAt: this.now().toISOString() }),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (err) {
      if (isPreconditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseFile(file: FileVersion, dims: StreamDimensions): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fileMarkerKey(this.prefix, file, dims) }));
  }

  async updateWindow(
    dims: StreamDimensions,
    update: (current?: WindowState) => WindowState | undefined,
  ): Promise<void> {
    const key = `${streamPrefix(this.prefix, dims)}window.json`;
    for (let attempt = 1; ; attempt++) {
      const { state, etag } = await this.readWindow(key);
      const next = update(state);
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            // An emptied window is written as null (not deleted), so the next writer still has an ETag to match.
            Body: JSON.stringify(next ?? null),
            ContentType: 'application/json',
            ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
          }),
        );
        return;
      } catch (err) {
        if (!isPreconditionFailure(err) || attempt >= MAX_WINDOW_ATTEMPTS) throw err;
      }
    }
  }

  private async readWindow(key: string): Promise<{ state?: WindowState; etag?: string }> {
    let res;
    try {
      res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (awsErrorName(err) === 'NoSuchKey') return {};
      throw err;
    }
    const text = (await res.Body?.transformToString('utf8')) ?? 'null';
    let state: WindowState | undefined;
    try {
      state = (JSON.parse(text) as WindowState | null) ?? undefined;
    } catch (err) {
      // Started afresh rather than failing every later file; the counts it held cannot be known, so it is logged.
      this.warn('rolling window state is not valid JSON; started afresh', {
        bucket: this.bucket,
        key,
        error: (err as Error).message,
      });
      state = undefined;
    }
    return { ...(state ? { state } : {}), ...(res.ETag ? { etag: res.ETag } : {}) };
  }
}
