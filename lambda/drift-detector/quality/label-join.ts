/**
 * The run-time join: a ground-truth file lands under the model's ground-truth prefix -> its labels are read (by id),
 * joined to the ledgers of the windows judged within maxLabelDelayHours before the file arrived, and each window
 * that received labels is judged again over all its labels so far (quality, outcome fairness, CBPE beside them).
 * Labels that join nothing are counted by reason and published, never dropped. Memory: the label file's ids and one
 * window's ledger at a time.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  LedgerEntry,
  QualitySettings,
  UNMATCHED_LABEL_REASONS,
  UnmatchedLabelReason,
  labelsKeyOf,
  ledgerPrefix,
} from '../../../core/contracts/quality';
import { awsErrorName } from '../../shared/errors';
import { Logger } from '../../shared/logger';
import { forEachLine } from '../line-splitter';
import { DetectorContext } from '../detector-context';
import { S3ObjectRef } from '../event';
import { Dimensions, MetricDatum, publish } from '../metrics';
import { bodyStream } from '../s3-body';
import { parseGroundTruthLine } from './ground-truth';
import { QualityJoin, QualityReport } from './join';
import { parseLedger } from './ledger';
import { JoinedLabel, LedgerBucket, addJoinedLabels, getText, listLedgerKeys, recordLabelled } from './ledger-store';
import { unmatchedData, windowQualityData } from './quality-metrics';

const HOUR_MS = 3_600_000;

/** One ground-truth record of the file: its labels (one per row of the invocation) and where it was. */
interface LabelRecord {
  readonly labels: readonly string[];
  readonly line: number;
}

/** What joining one ground-truth file did. */
export interface GroundTruthOutcome {
  /** Labels newly joined to a prediction. */
  readonly labelled: number;
  /** Windows (ledgers) that received labels. */
  readonly windows: number;
  readonly unmatchedLabelsByReason: Readonly<Record<UnmatchedLabelReason, number>>;
}

/** Where the labels clock of an endpoint variant is kept: with the detector's other state. */
export function labelsClockKey(statePrefix: string, dims: Dimensions): string {
  return `${statePrefix}${dims.endpointName}/${dims.variantName}/labels-clock.json`;
}

/** The bucket ledgers live in (the capture bucket) and their key; the environment schema requires both. */
export function ledgerBucket(ctx: Pick<DetectorContext, 's3' | 'config'>): LedgerBucket {
  const { stateBucket, ledgerKmsKeyArn } = ctx.config;
  if (stateBucket === undefined || ledgerKmsKeyArn === undefined)
    throw new RangeError(
      'QUALITY needs STATE_BUCKET and LEDGER_KMS_KEY_ARN: render them with driftDetectorEnvironment',
    );
  return { s3: ctx.s3, bucket: stateBucket, kmsKeyArn: ledgerKmsKeyArn };
}

function zeroCounts(): Record<UnmatchedLabelReason, number> {
  return Object.fromEntries(UNMATCHED_LABEL_REASONS.map((r) => [r, 0])) as Record<UnmatchedLabelReason, number>;
}

/** The label record a ledger entry waits for: its own id, or the id of its invocation (`<id>#<row>`). */
function labelIdOf(entryId: string, labels: ReadonlyMap<string, LabelRecord>): string | undefined {
  if (labels.has(entryId)) return entryId;
  const hash = entryId.lastIndexOf('#');
  const base = hash > 0 ? entryId.slice(0, hash) : undefined;
  return base !== undefined && labels.has(base) ? base : undefined;
}

/**
 * One window judged over its earlier labels and this file's: which of this file's labels joined (to be kept beside
 * the ledger), the report, and this file's unmatched labels by reason (earlier labels joined once, so they join again
 * without a count).
 */
function judgeWindow(
  settings: QualitySettings,
  window: {
    readonly entries: readonly LedgerEntry[];
    readonly previous: readonly JoinedLabel[];
    readonly fresh: ReadonlyMap<string, LabelRecord>;
  },
  from: { readonly file: string; readonly source: string; readonly arrivedAt: number },
): { added: JoinedLabel[]; rejoined: number; report: QualityReport } {
  const { file, source, arrivedAt } = from;
  const join = new QualityJoin(settings);
  for (const e of window.entries) join.addPrediction(e);
  // Labels this very file joined before (a retry after a partial failure): joined already, neither new nor duplicate.
  const ownEarlier = new Set<string>();
  for (const l of window.previous) {
    join.addLabels(l.id, [l.y]);
    if (l.f === source) ownEarlier.add(l.id);
  }
  const added: JoinedLabel[] = [];
  let rejoined = 0;
  for (const [id, rec] of window.fresh) {
    // Row by row, as QualityJoin.addLabels keys them, so each accepted row is known.
    rec.labels.forEach((y, row) => {
      const rowId = rec.labels.length === 1 ? id : `${id}#${row}`;
      if (ownEarlier.has(rowId)) {
        rejoined++;
        return;
      }
      const before = join.labelled;
      join.addLabels(rowId, [y], { file, line: rec.line }, arrivedAt);
      if (join.labelled > before) added.push({ id: rowId, y, f: source });
    });
  }
  return { added, rejoined, report: join.result() };
}

export async function joinGroundTruthObject(
  ctx: DetectorContext,
  opts: {
    readonly ref: S3ObjectRef;
    readonly settings: QualitySettings;
    readonly dims: Dimensions;
    readonly log: Logger;
  },
): Promise<GroundTruthOutcome | 'gone'> {
  const { ref, settings, dims, log } = opts;
  const file = `s3://${ref.bucket}/${ref.key}`;
  const where = ledgerBucket(ctx);
  const counts = zeroCounts();
  const examples: Partial<Record<UnmatchedLabelReason, string>> = {};
  const unmatched = (reason: UnmatchedLabelReason, n: number, example: string) => {
    counts[reason] += n;
    examples[reason] ??= example;
  };

  let res;
  try {
    res = await ctx.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return 'gone';
    throw err;
  }
  const arrivedAt = (res.LastModified ?? ctx.now()).getTime();
  const fileVersion = createHash('sha256')
    .update(`${ref.bucket}\0${ref.key}\0${res.ETag ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  let source = await bodyStream(res.Body);
  if (ref.key.endsWith('.gz')) source = pipeline(source, createGunzip(), () => undefined);
  const labels = new Map<string, LabelRecord>();
  let lineNo = 0;
  await forEachLine(source, (line) => {
    lineNo++;
    if (line.trim() === '') return;
    const read = parseGroundTruthLine(line);
    if (!read.ok) unmatched('unreadable', 1, `${file}:${lineNo}: ${read.message}`);
    else if (labels.has(read.id))
      unmatched(
        'duplicate',
        read.labels.length,
        `${file}:${lineNo}: "${read.id}" is labelled again in the same file; the first label counts`,
      );
    else labels.set(read.id, { labels: read.labels, line: lineNo });
  });

  const since = new Date(arrivedAt - (settings.maxLabelDelayHours + 1) * HOUR_MS);
  const found = new Set<string>();
  const data: MetricDatum[] = [];
  const now = ctx.now();
  let labelled = 0;
  let windows = 0;
  if (labels.size > 0) {
    for (const key of await listLedgerKeys(where, ledgerPrefix(dims.endpointName, dims.variantName), since)) {
      const ledger = await getText(where, key);
      if (ledger === undefined) continue; // expired between the listing and now
      const entries = parseLedger(ledger.text, `s3://${where.bucket}/${key}`);
      const fresh = new Map<string, LabelRecord>();
      for (const e of entries) {
        const id = labelIdOf(e.id, labels);
        if (id !== undefined) fresh.set(id, labels.get(id) as LabelRecord);
      }
      if (fresh.size === 0) continue;
      for (const id of fresh.keys()) found.add(id);
      const judged = await addJoinedLabels(where, labelsKeyOf(key), (previous) =>
        judgeWindow(settings, { entries, previous, fresh }, { file, source: fileVersion, arrivedAt }),
      );
      const report = judged.report;
      windows++;
      labelled += judged.added.length + judged.rejoined;
      for (const reason of UNMATCHED_LABEL_REASONS)
        if (report.unmatchedLabelsByReason[reason] > 0)
          unmatched(
            reason,
            report.unmatchedLabelsByReason[reason],
            report.unmatchedLabelExamples[reason] ?? `${file}: ${reason}`,
          );
      data.push(...windowQualityData(report, dims, now));
      log.info('window judged with its labels', {
        ledger: key,
        newLabels: judged.added.length,
        labelled: report.labelled,
        predictionsWithoutLabel: report.predictionsWithoutLabel,
        judged: report.judged,
        metrics: report.metrics,
        fairness: report.fairness,
      });
    }
  }
  for (const [id, rec] of labels)
    if (!found.has(id))
      unmatched(
        'unknown-id',
        rec.labels.length,
        `${file}:${rec.line}: no prediction with id "${id}" in the ledgers of the last ${settings.maxLabelDelayHours} h`,
      );
  if (labelled > 0) await recordLabelled(where, labelsClockKey(ctx.config.statePrefix, dims), now);
  data.push(...unmatchedData(counts, dims, now));
  publish(ctx.writeMetrics, data);
  if (Object.keys(examples).length > 0)
    log.warn('labels that joined no prediction (counted by reason in UnmatchedLabels)', {
      unmatchedLabelsByReason: counts,
      firstOfEachReason: examples,
    });
  log.info('ground truth joined', { file, lines: lineNo, labelled, windows, unmatchedLabelsByReason: counts });
  return { labelled, windows, unmatchedLabelsByReason: counts };
}
