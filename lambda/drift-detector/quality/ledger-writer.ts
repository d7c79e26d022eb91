/**
 * As the detector judges a capture file, it keeps the file's prediction ledger (ledger.ts: id, prediction, score,
 * group; nothing else) from the same lines, then writes it beside the detector's state, SSE-KMS with the capture key,
 * for the labels that arrive later. While they are late, the window's CBPE estimate (accuracy, ROC AUC from its
 * scores alone) is published with the drift metrics.
 */
import { createHash } from 'node:crypto';
import { LedgerEntry, QualitySettings, ledgerKey } from '../../../core/contracts/quality';
import { Logger } from '../../shared/logger';
import { DetectorContext } from '../detector-context';
import { S3ObjectRef } from '../event';
import { Dimensions, MetricDatum } from '../metrics';
import { ledgerBucket } from './label-join';
import { LedgerSkipReason, ledgerEntriesOfCaptureLine } from './ledger';
import { putLedger } from './ledger-store';
import { estimatePerformance } from '../../../core/quality/metrics';
import { estimatedData } from './quality-metrics';
import { QualityJoin, QualityReport } from './join';

export interface WindowLedger {
  /** Give it every non-blank line of the capture file. */
  readonly onLine: (line: string, lineNo: number) => void;
  /** The report's quality section of this file's predictions: all waiting for labels, with the CBPE estimate. */
  readonly report: () => QualityReport;
  /** Writes the ledger (none when no row left an entry); the CBPE estimate as metric data. */
  readonly write: () => Promise<{ readonly uri?: string; readonly data: MetricDatum[] }>;
}

/** A ledger's id: a hash of the capture file's location, so a redelivered file rewrites the same ledger. */
function ledgerId(ref: S3ObjectRef): string {
  return createHash('sha256').update(`${ref.bucket}\0${ref.key}`).digest('hex').slice(0, 32);
}

/** The CBPE estimate of a window when it is a binary model's with a score on every one of minLabelled entries. */
function estimateOf(settings: QualitySettings, entries: readonly LedgerEntry[]) {
  if (settings.problemType !== 'binary-classification' || entries.length < settings.minLabelled) return undefined;
  const scores = entries.map((e) => e.s);
  if (scores.some((s) => s === undefined || !(s >= 0 && s <= 1))) return undefined;
  return estimatePerformance(
    entries.map((e) => e.p),
    scores as number[],
  );
}

export function writeWindowLedger(
  ctx: DetectorContext,
  settings: QualitySettings,
  opts: { readonly ref: S3ObjectRef; readonly dims: Dimensions; readonly log: Logger },
): WindowLedger {
  const { config } = ctx;
  const sensitive = config.sensitiveAttribute;
  const index = sensitive !== undefined ? config.features.findIndex((f) => f.name === sensitive) : -1;
  const readOpts = { settings, features: config.features, ...(index >= 0 ? { sensitiveIndex: index } : {}) };
  const entries: LedgerEntry[] = [];
  const skipped: Partial<Record<LedgerSkipReason, number>> = {};
  const sink = {
    entry: (e: LedgerEntry) => entries.push(e),
    skipped: (rows: number, reason: LedgerSkipReason) => {
      skipped[reason] = (skipped[reason] ?? 0) + rows;
    },
  };
  return {
    onLine: (line, lineNo) => ledgerEntriesOfCaptureLine(line, lineNo, readOpts, sink),
    report: () => {
      const join = new QualityJoin(settings);
      for (const e of entries) join.addPrediction(e);
      for (const [reason, n] of Object.entries(skipped)) join.predictionSkipped(reason, n);
      return join.result();
    },
    write: async () => {
      const { dims, log } = opts;
      if (Object.keys(skipped).length > 0)
        log.warn('captured rows that leave no prediction for a label to join', { ledgerSkippedByReason: skipped });
      if (entries.length === 0) return { data: [] };
      const now = ctx.now();
      const where = ledgerBucket(ctx);
      const key = ledgerKey(dims.endpointName, dims.variantName, now, ledgerId(opts.ref));
      await putLedger(where, key, entries);
      const uri = `s3://${where.bucket}/${key}`;
      log.info('prediction ledger written', { ledger: uri, entries: entries.length });
      const estimate = estimateOf(settings, entries);
      return { uri, data: estimate ? estimatedData(estimate, dims, now) : [] };
    },
  };
}
