/**
 * The prediction ledgers in S3 (the capture bucket, beside the detector's state): one object per judged capture
 * file, `quality-ledger/<endpoint>/<variant>/yyyy/mm/dd/hh/<id>.ledger.jsonl` (ledger.ts's JSON Lines), SSE-KMS with
 * the capture key, expired by the bucket's lifecycle rule for that prefix. Beside each ledger, the labels joined to
 * it so far (`<id>.labels.jsonl`: `{"id","y","f"}` per label: id, label, hash of the label file; nothing else), replaced with If-Match so two label files
 * joining the same window concurrently cannot lose each other's labels. Plus the labels clock: when a window last
 * received a label, for the "labels stopped" metric.
 */
import { GetObjectCommand, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { LEDGER_SUFFIX, LedgerEntry, hourPath } from '../../../core/contracts/quality';
import { awsErrorName } from '../../shared/errors';
import { isPreconditionFailure } from '../state-store';
import { serializeLedger } from './ledger';

/** Where ledgers go: the bucket and the capture key they are encrypted with. */
export interface LedgerBucket {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly kmsKeyArn: string;
}

/** One label joined to a ledger entry (its id: `<id>` or `<id>#<row>`), as the raw label text. */
export interface JoinedLabel {
  readonly id: string;
  readonly y: string;
  /** Which label file version joined it (a hash): a retried file finds its own labels, not duplicates. */
  readonly f?: string;
}

/** A label file joining one window concurrently with another re-reads this often before giving up (and retrying). */
const MAX_LABEL_ATTEMPTS = 5;

function encrypted(where: LedgerBucket) {
  return { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: where.kmsKeyArn, BucketKeyEnabled: true };
}

export async function putLedger(where: LedgerBucket, key: string, entries: readonly LedgerEntry[]): Promise<void> {
  await where.s3.send(
    new PutObjectCommand({
      Bucket: where.bucket,
      Key: key,
      Body: serializeLedger(entries),
      ContentType: 'application/x-ndjson',
      ...encrypted(where),
    }),
  );
}

/** An object's text and ETag; undefined when it does not exist. */
export async function getText(
  where: Pick<LedgerBucket, 's3' | 'bucket'>,
  key: string,
): Promise<{ text: string; etag?: string } | undefined> {
  try {
    const res = await where.s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: key }));
    const text = (await res.Body?.transformToString('utf8')) ?? '';
    return { text, ...(res.ETag !== undefined ? { etag: res.ETag } : {}) };
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return undefined;
    throw err;
  }
}

/**
 * The ledger keys under `prefix` judged in the hour of `since` or later, oldest first: keys sort by their
 * `yyyy/mm/dd/hh` path, so one listing from there reaches back any delay (8760 h) without a call per hour.
 */
export async function listLedgerKeys(
  where: Pick<LedgerBucket, 's3' | 'bucket'>,
  prefix: string,
  since: Date,
): Promise<string[]> {
  const keys: string[] = [];
  const pages = paginateListObjectsV2(
    { client: where.s3, pageSize: 1000 },
    { Bucket: where.bucket, Prefix: prefix, StartAfter: `${prefix}${hourPath(since)}` },
  );
  for await (const page of pages)
    for (const o of page.Contents ?? []) if (o.Key?.endsWith(LEDGER_SUFFIX)) keys.push(o.Key);
  return keys;
}

function parseLabels(text: string, key: string): JoinedLabel[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      const e = JSON.parse(l) as Partial<JoinedLabel>;
      if (typeof e.id !== 'string' || typeof e.y !== 'string' || (e.f !== undefined && typeof e.f !== 'string'))
        throw new RangeError(`${key} line ${i + 1} is not a joined label ({"id":..,"y":..}): ${l.slice(0, 80)}`);
      return e as JoinedLabel;
    });
}

/**
 * Adds to the labels object at `key`: `join(current)` returns the labels to add (it may run more than once, on a
 * concurrent write, and must have no effect beyond its result). Resolves to the last run's result.
 */
export async function addJoinedLabels<T extends { readonly added: readonly JoinedLabel[] }>(
  where: LedgerBucket,
  key: string,
  join: (current: readonly JoinedLabel[]) => T,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await getText(where, key);
    const labels = current ? parseLabels(current.text, key) : [];
    const result = join(labels);
    if (result.added.length === 0) return result;
    try {
      await where.s3.send(
        new PutObjectCommand({
          Bucket: where.bucket,
          Key: key,
          Body: [...labels, ...result.added].map((l) => `${JSON.stringify(l)}\n`).join(''),
          ContentType: 'application/x-ndjson',
          ...encrypted(where),
          ...(current?.etag !== undefined ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
        }),
      );
      return result;
    } catch (err) {
      if (!isPreconditionFailure(err) || attempt >= MAX_LABEL_ATTEMPTS) throw err;
    }
  }
}

/** When labels last joined a window of one endpoint variant, and when monitoring of it began. */
export interface LabelsClock {
  readonly startedAt: string;
  readonly lastLabelledAt?: string;
}

/** Records that labels joined a window now. */
export async function recordLabelled(where: LedgerBucket, key: string, now: Date): Promise<void> {
  const current = await getText(where, key);
  const clock = current ? (JSON.parse(current.text) as LabelsClock) : { startedAt: now.toISOString() };
  await where.s3.send(
    new PutObjectCommand({
      Bucket: where.bucket,
      Key: key,
      Body: JSON.stringify({ ...clock, lastLabelledAt: now.toISOString() }),
      ContentType: 'application/json',
      ...encrypted(where),
    }),
  );
}

/**
 * Hours since labels last joined a window, or since the clock was started (its first reading, written then):
 * what the "labels stopped" alarm compares with maxLabelDelayHours, so its window is one period whatever the delay.
 */
export async function hoursSinceLabelled(where: LedgerBucket, key: string, now: Date): Promise<number> {
  const current = await getText(where, key);
  if (current === undefined) {
    try {
      await where.s3.send(
        new PutObjectCommand({
          Bucket: where.bucket,
          Key: key,
          Body: JSON.stringify({ startedAt: now.toISOString() } satisfies LabelsClock),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ...encrypted(where),
        }),
      );
    } catch (err) {
      if (!isPreconditionFailure(err)) throw err;
      return hoursSinceLabelled(where, key, now); // a label file started it first: read that one
    }
    return 0;
  }
  const clock = JSON.parse(current.text) as LabelsClock;
  const since = Date.parse(clock.lastLabelledAt ?? clock.startedAt);
  if (!Number.isFinite(since))
    throw new RangeError(`labels clock s3://${where.bucket}/${key} holds no valid time: ${current.text.slice(0, 80)}`);
  return Math.max(0, (now.getTime() - since) / 3_600_000);
}
