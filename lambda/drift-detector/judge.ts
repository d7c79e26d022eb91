/**
 * Judging one capture file: stream-parse it into an accumulator, join the rolling window when it is small, write
 * the drift report, then publish the metrics. A broken file (bad gzip, ...) is counted as malformed, never thrown.
 */
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import { BaselineDocument } from '../../core/contracts/baseline';
import { Logger } from '../shared/logger';
import { accumulatorSink } from './accumulator';
import { parseCaptureStream } from './capture-parser';
import { DetectorContext, newAccumulator } from './detector-context';
import { S3ObjectRef } from './event';
import { Dimensions, METRICS, countDatum, metricData, publish } from './metrics';
import { writeWindowReport } from './report/store';
import { ReportWindow } from './report/window';
import { rollWindow } from './rolling-window';
import { bodyStream } from './s3-body';
import { writeWindowLedger } from './quality/ledger-writer';

/** Only this many malformed-record reasons are logged per file, so a garbage file cannot flood the log. */
const MAX_LOGGED_REASONS = 5;

export interface ObjectOutcome {
  readonly bucket: string;
  readonly key: string;
  readonly status: 'published' | 'skipped' | 'duplicate' | 'malformed-file' | 'failed';
  readonly sampleCount?: number;
  readonly malformedRecords?: number;
  readonly metricCount?: number;
  readonly reason?: string;
  /** s3:// URI of the drift report written for this window. */
  readonly report?: string;
  /** s3:// URI of the prediction ledger written for this file (with monitoring.quality). */
  readonly ledger?: string;
  /** Ground-truth files: labels newly joined, and labels that joined nothing by reason. */
  readonly labelled?: number;
  readonly unmatchedLabelsByReason?: Readonly<Record<string, number>>;
}

/** Errors where the file, not the service, is the problem: retrying would fail the same way. */
function isContentError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(Z_|ERR_STRING_TOO_LONG|ERR_INVALID_CHAR)/.test(code);
}

export async function judgeObject(
  ctx: DetectorContext,
  opts: {
    readonly ref: S3ObjectRef;
    /** GetObject's Body. */
    readonly body: unknown;
    readonly dims: Dimensions;
    readonly baseline: BaselineDocument;
    /** Date.now() when processing began, for the logged duration. */
    readonly started: number;
    readonly log: Logger;
  },
): Promise<ObjectOutcome> {
  const { config, now } = ctx;
  const { ref, dims, baseline, log } = opts;
  const acc = newAccumulator(config, baseline);
  let reasons = 0;
  let status: ObjectOutcome['status'] = 'published';
  let source = await bodyStream(opts.body);
  // pipeline (not pipe) so an error of the S3 stream reaches the gunzip stream the parser reads.
  if (ref.key.endsWith('.gz')) source = pipeline(source, createGunzip(), () => undefined);
  const sink = accumulatorSink(acc, {
    refused: () => {
      if (reasons++ < MAX_LOGGED_REASONS)
        log.warn('malformed record skipped: a value is unreadable for its feature type');
    },
    malformed: (n, reason, line, kind) => {
      if (reasons++ < MAX_LOGGED_REASONS) log.warn('malformed capture line skipped', { line, rows: n, kind, reason });
    },
  });
  // Only when reports are on: the window keeps skip reasons and the time range the report shows.
  const reportWindow = config.reports ? new ReportWindow() : undefined;
  const ledger = config.quality ? writeWindowLedger(ctx, config.quality, { ref, dims, log }) : undefined;
  try {
    await parseCaptureStream(
      source,
      config.features,
      reportWindow?.tap(sink, acc, config.features) ?? sink,
      ledger?.onLine,
    );
  } catch (err) {
    if (!isContentError(err)) throw err;
    // The file itself is broken (bad gzip, ...): report what was read plus one for the file, never block the next.
    acc.addMalformed(1, 'unreadable-file');
    reportWindow?.skip(`capture file is unreadable: ${(err as Error).message}`);
    status = 'malformed-file';
    log.error('capture file is unreadable; counted as malformed and skipped', { error: err as Error });
  }
  const result = acc.result();
  let judged = result;
  let judgedCounts = acc.counts();
  let window: { files: number; expired: number } | undefined;
  if (ctx.stateStore && result.sampleCount > 0 && result.sampleCount < config.minSamples) {
    const rolled = await rollWindow(ctx, { store: ctx.stateStore, dims, file: acc, baseline });
    window = { files: rolled.files, expired: rolled.expired };
    if (rolled.judged) ({ result: judged, counts: judgedCounts } = rolled.judged);
    if (rolled.expired > 0)
      log.warn('a stale rolling window was discarded unjudged', {
        expiredRecords: rolled.expired,
        windowMaxAgeHours: config.windowMaxAgeHours,
      });
  }
  // The report is written before the metrics: when the alarm fires, the report it names is already there.
  const written =
    config.reports && reportWindow
      ? await writeWindowReport(ctx.s3, {
          settings: config.reports,
          baseline,
          baselineLocation: `s3://${config.baselineBucket}/${config.baselineKey}`,
          result: judged,
          counts: judgedCounts,
          window: reportWindow,
          capture: ref,
          endpointName: dims.endpointName,
          variantName: dims.variantName,
          now: now(),
          // The file's predictions, waiting for labels: only when the file is the window judged.
          ...(ledger && judged === result ? { quality: ledger.report() } : {}),
        })
      : undefined;
  if (written?.written) log.info('drift report written', { report: written.uri });
  // The ledger is written before the metrics too: labels arriving right after the alarm find it.
  const ledgerWritten = await ledger?.write();
  const data = metricData({ file: result, judged, dims, minSamples: config.minSamples, timestamp: now() });
  if (ledgerWritten) data.push(...ledgerWritten.data);
  if (window && window.expired > 0) data.push(countDatum(METRICS.EXPIRED_WINDOW_RECORDS, window.expired, dims, now()));
  publish(ctx.writeMetrics, data);
  log.info('drift computed', {
    ...dims,
    status,
    sampleCount: result.sampleCount,
    malformedRecords: result.malformedRecords,
    malformedByReason: result.malformedByReason,
    missingPredictions: result.missingPredictions,
    judgedSampleCount: judged.sampleCount,
    ...(window ? { windowFiles: window.files } : {}),
    belowMinSamples: judged.sampleCount < config.minSamples,
    maxFeaturePsi: judged.maxFeaturePsi,
    predictionPsi: judged.predictionPsi,
    disparateImpactRatio: judged.disparateImpactRatio,
    fairnessGroupsExcluded: judged.fairnessGroupsExcluded,
    metricCount: data.length,
    durationMs: Date.now() - opts.started,
  });
  return {
    ...ref,
    status,
    sampleCount: result.sampleCount,
    malformedRecords: result.malformedRecords,
    metricCount: data.length,
    ...(written?.written ? { report: written.uri } : {}),
    ...(ledgerWritten?.uri !== undefined ? { ledger: ledgerWritten.uri } : {}),
  };
}
