/**
 * Drift detector: one S3 "Object Created" event per data-capture file -> parse (streaming) -> compare with the
 * baseline -> CloudWatch metrics the alarms watch. Clients, config and the baseline loader are injected.
 *
 * Failure policy: a malformed record is counted and skipped; a malformed file (bad gzip, not JSON Lines) is logged
 * and reported as MalformedRecords, never thrown, so it cannot block the files behind it. Errors a retry can fix
 * (S3 or CloudWatch unavailable, throttling, missing permission) are thrown after every object of the event has been
 * tried, so Lambda's async retries and then the dead-letter queue keep the event.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError, InputError, awsErrorName } from '../shared/errors';
import { DetectorConfig } from './settings';
import { S3ObjectRef, objectsFromEvent } from './event';
import { Logger } from '../shared/logger';
import { DRIFT_METRICS, DRIFT_NAMESPACE } from '../../lib/contracts/drift-metrics';
import { DriftAccumulator, DriftResult, WindowCounts, accumulatorSink } from './accumulator';
import { MALFORMED_REASONS, parseCaptureStream } from './capture-parser';
import { rememberBaselineSource, writeWindowReport } from './report/store';
import { ReportWindow } from './report/window';
import { DriftStateStore, FileVersion, WindowState } from './state-store';
import { BaselineDocument, validateBaseline } from '../../lib/contracts/baseline';

/** The namespace the IAM policy pins with a cloudwatch:namespace condition (lib/constructs/drift-monitor.ts). */
export const METRIC_NAMESPACE = DRIFT_NAMESPACE;
/** Metric names the construct's alarms and widgets watch (one definition: lib/contracts/drift-metrics.ts). */
export const METRICS = DRIFT_METRICS;
/** Dimension of the per-reason MalformedRecords metric (values: capture-parser.ts MALFORMED_REASONS). */
export const REASON_DIMENSION = 'Reason';
/** PutMetricData takes up to 1000 data per call and 1 MB; 500 small data stay far under both. */
export const METRICS_PER_CALL = 500;
/** Only this many malformed-record reasons are logged per file, so a garbage file cannot flood the log. */
const MAX_LOGGED_REASONS = 5;

/** GetObject's Body as a Node stream (Lambda's SDK gives an IncomingMessage; mocks may give other shapes). */
async function bodyStream(body: unknown): Promise<Readable> {
  if (body instanceof Readable) return body;
  if (body && typeof (body as { transformToByteArray?: unknown }).transformToByteArray === 'function') {
    return Readable.from([
      Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    ]);
  }
  if (typeof body === 'string' || body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  throw new InputError('GetObject returned no readable Body');
}

/**
 * Loads the baseline from S3 once per container and keeps it; a failed load is forgotten so the next invocation
 * tries again instead of failing forever on a cached rejection.
 */
export function makeBaselineLoader(s3: S3Client, config: DetectorConfig): () => Promise<BaselineDocument> {
  let cached: Promise<BaselineDocument> | undefined;
  return () => {
    cached ??= (async () => {
      const where = `s3://${config.baselineBucket}/${config.baselineKey}`;
      const res = await s3.send(new GetObjectCommand({ Bucket: config.baselineBucket, Key: config.baselineKey }));
      const chunks: Buffer[] = [];
      for await (const chunk of await bodyStream(res.Body)) chunks.push(Buffer.from(chunk as Uint8Array));
      const text = Buffer.concat(chunks).toString('utf8');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        throw new ConfigurationError(`baseline ${where} is not valid JSON: ${(err as Error).message}`);
      }
      let baseline: BaselineDocument;
      try {
        baseline = validateBaseline(doc, where);
        // Building an accumulator checks the configured features against the baseline's, once, at cold start.
        new DriftAccumulator(baseline, {
          features: config.features,
          ...(config.sensitiveAttribute ? { sensitiveAttribute: config.sensitiveAttribute } : {}),
        });
      } catch (err) {
        throw new ConfigurationError(`baseline ${where}: ${(err as Error).message}`);
      }
      rememberBaselineSource(baseline, where, createHash('sha256').update(text).digest('hex'));
      return baseline;
    })();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}

/** `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>`: SageMaker's data-capture layout. */
export function locationFromKey(key: string): { endpointName: string; variantName: string } | undefined {
  const parts = key.split('/');
  if (parts.length < 7) return undefined;
  const [endpointName, variantName, y, m, d, h] = parts.slice(-7, -1) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^\d{4}$/.test(y) || !/^\d{2}$/.test(m) || !/^\d{2}$/.test(d) || !/^\d{2}$/.test(h)) return undefined;
  return { endpointName, variantName };
}

export interface Dimensions {
  readonly endpointName: string;
  readonly variantName: string;
}

/** A count of one endpoint variant (no Feature or Reason dimension). */
function countDatum(name: string, value: number, dims: Dimensions, timestamp: Date): MetricDatum {
  return {
    MetricName: name,
    Value: value,
    Unit: 'Count',
    Timestamp: timestamp,
    Dimensions: [
      { Name: 'EndpointName', Value: dims.endpointName },
      { Name: 'VariantName', Value: dims.variantName },
    ],
  };
}

/**
 * The metric data one file publishes: its own counts always; drift statistics from `judged` (the file, or the
 * window of small files it completed) when that holds at least minSamples records.
 */
export function metricData(
  result: DriftResult,
  dims: Dimensions,
  minSamples: number,
  timestamp: Date,
  judged: DriftResult = result,
): MetricDatum[] {
  const base = [
    { Name: 'EndpointName', Value: dims.endpointName },
    { Name: 'VariantName', Value: dims.variantName },
  ];
  const out: MetricDatum[] = [];
  const put = (name: string, value: number | undefined, unit: StandardUnit, feature?: string) => {
    if (value === undefined || !Number.isFinite(value)) return;
    out.push({
      MetricName: name,
      Value: value,
      Unit: unit,
      Timestamp: timestamp,
      Dimensions: feature === undefined ? base : [...base, { Name: 'Feature', Value: feature }],
    });
  };
  put(METRICS.SAMPLE_COUNT, result.sampleCount, 'Count');
  put(METRICS.MALFORMED_RECORDS, result.malformedRecords, 'Count');
  for (const reason of MALFORMED_REASONS) {
    const n = result.malformedByReason[reason];
    if (n !== undefined && n > 0)
      out.push({
        MetricName: METRICS.MALFORMED_RECORDS,
        Value: n,
        Unit: 'Count',
        Timestamp: timestamp,
        Dimensions: [...base, { Name: REASON_DIMENSION, Value: reason }],
      });
  }
  put(METRICS.MISSING_PREDICTIONS, result.missingPredictions, 'Count');
  if (judged.sampleCount < minSamples) return out;
  if (judged !== result) put(METRICS.WINDOW_SAMPLE_COUNT, judged.sampleCount, 'Count');
  put(METRICS.FAIRNESS_GROUPS_EXCLUDED, judged.fairnessGroupsExcluded, 'Count');
  for (const f of judged.features) {
    put(METRICS.FEATURE_PSI, f.psi, 'None', f.name);
    put(METRICS.FEATURE_JS_DISTANCE, f.jsDistance, 'None', f.name);
    if (f.type === 'numeric') put(METRICS.FEATURE_KS, f.ks, 'None', f.name);
  }
  put(METRICS.MAX_FEATURE_PSI, judged.maxFeaturePsi, 'None');
  put(METRICS.PREDICTION_PSI, judged.predictionPsi, 'None');
  put(METRICS.DEMOGRAPHIC_PARITY_DIFFERENCE, judged.demographicParityDifference, 'None');
  put(METRICS.DISPARATE_IMPACT_RATIO, judged.disparateImpactRatio, 'None');
  return out;
}

export interface HandlerDeps {
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly logger: Logger;
  readonly config: DetectorConfig;
  readonly baseline: () => Promise<BaselineDocument>;
  /**
   * Dedup markers and the rolling window (state-store.ts).
   * @default - none: every file is judged alone and a redelivered file publishes again
   */
  readonly stateStore?: DriftStateStore;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

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
}

/** Errors where the file, not the service, is the problem: retrying would fail the same way. */
function isContentError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(Z_|ERR_STRING_TOO_LONG|ERR_INVALID_CHAR)/.test(code);
}

export async function publish(cloudwatch: CloudWatchClient, data: readonly MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += METRICS_PER_CALL) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data.slice(i, i + METRICS_PER_CALL) }),
    );
  }
}

export function makeHandler(deps: HandlerDeps) {
  const now = deps.now ?? (() => new Date());
  const { config, logger } = deps;

  async function processObject(ref: S3ObjectRef, baseline: BaselineDocument): Promise<ObjectOutcome> {
    const log = logger.child({ bucket: ref.bucket, key: ref.key });
    if (ref.key.endsWith('/')) return { ...ref, status: 'skipped', reason: 'folder marker' };
    const fromKey = locationFromKey(ref.key);
    if (fromKey && config.endpointName !== undefined && fromKey.endpointName !== config.endpointName) {
      log.warn('object belongs to another endpoint; skipped', {
        keyEndpoint: fromKey.endpointName,
        endpointName: config.endpointName,
      });
      return { ...ref, status: 'skipped', reason: `endpoint ${fromKey.endpointName} is not ${config.endpointName}` };
    }
    const endpointName = fromKey?.endpointName ?? config.endpointName;
    const variantName = fromKey?.variantName ?? config.variantName;
    if (endpointName === undefined || variantName === undefined) {
      log.error(
        'cannot tell endpoint/variant: key is not <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file> and ENDPOINT_NAME/VARIANT_NAME are not both set; skipped',
      );
      return { ...ref, status: 'skipped', reason: 'no endpoint/variant' };
    }

    const started = Date.now();
    let res;
    try {
      res = await deps.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (err) {
      if (awsErrorName(err) === 'NoSuchKey') {
        log.warn('object no longer exists (expired or deleted before processing); skipped');
        return { ...ref, status: 'skipped', reason: 'NoSuchKey' };
      }
      throw err;
    }
    const dims = { endpointName, variantName };
    const store = deps.stateStore;
    const version: FileVersion | undefined =
      store && res.ETag !== undefined ? { bucket: ref.bucket, key: ref.key, etag: res.ETag } : undefined;
    if (store && version === undefined)
      log.warn('GetObject returned no ETag: redelivery of this file cannot be detected');
    if (store && version && !(await store.claimFile(version, dims))) {
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      log.info('file already judged (same bucket, key and ETag): a redelivery, nothing published');
      await publish(deps.cloudwatch, [countDatum(METRICS.DUPLICATE_FILES, 1, dims, now())]);
      return { ...ref, status: 'duplicate', reason: 'already judged' };
    }
    try {
      return await judgeObject(ref, res.Body, dims, baseline, started, log);
    } catch (err) {
      // The claim must not outlive a failed run, or the retry would be taken for a redelivery.
      if (store && version)
        await store
          .releaseFile(version, dims)
          .catch((e: unknown) =>
            log.error('could not release the claim of a failed file; its retry will be skipped', { error: e as Error }),
          );
      throw err;
    }
  }

  function newAccumulator(baseline: BaselineDocument): DriftAccumulator {
    return new DriftAccumulator(baseline, {
      features: config.features,
      ...(config.sensitiveAttribute !== undefined ? { sensitiveAttribute: config.sensitiveAttribute } : {}),
      positiveLabel: config.positiveLabel,
      minGroupSize: config.minGroupSize,
    });
  }

  /** What joining the rolling window did: the window's result and counts when it was judged. */
  interface RolledWindow {
    readonly judged?: { readonly result: DriftResult; readonly counts: WindowCounts };
    readonly files: number;
    readonly expired: number;
  }

  /**
   * A file below minSamples joins the rolling window of small files; once the window holds minSamples records it
   * is judged (its result returned) and emptied. A window older than windowMaxAgeHours, or counted against another
   * baseline, is discarded and its records reported as expired.
   */
  async function rollWindow(
    store: DriftStateStore,
    dims: Dimensions,
    file: DriftAccumulator,
    baseline: BaselineDocument,
  ): Promise<RolledWindow> {
    const baselineId = `${baseline.source.sha256}@${baseline.createdAt}`;
    const at = now();
    let outcome: RolledWindow = { files: 0, expired: 0 };
    await store.updateWindow(dims, (current?: WindowState) => {
      const ageMs = current ? at.getTime() - Date.parse(current.startedAt) : 0;
      const stale =
        current !== undefined &&
        (current.baselineId !== baselineId || !(ageMs <= config.windowMaxAgeHours * 3_600_000));
      const window = newAccumulator(baseline);
      let kept = current !== undefined && !stale;
      if (kept) {
        try {
          window.merge((current as WindowState).counts);
        } catch {
          kept = false; // a window of another shape cannot be mixed in: discard and count it
        }
      }
      window.merge(file.snapshot());
      const files = (kept ? (current as WindowState).files : 0) + 1;
      const expired = current !== undefined && !kept ? current.counts.samples : 0;
      if (window.sampleCount >= config.minSamples) {
        outcome = { judged: { result: window.result(), counts: window.counts() }, files, expired };
        return undefined;
      }
      outcome = { files, expired };
      return {
        baselineId,
        startedAt: kept ? (current as WindowState).startedAt : at.toISOString(),
        files,
        counts: window.snapshot(),
      };
    });
    return outcome;
  }

  async function judgeObject(
    ref: S3ObjectRef,
    body: unknown,
    dims: Dimensions,
    baseline: BaselineDocument,
    started: number,
    log: Logger,
  ): Promise<ObjectOutcome> {
    const acc = newAccumulator(baseline);
    let reasons = 0;
    let status: ObjectOutcome['status'] = 'published';
    let source = await bodyStream(body);
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
    try {
      await parseCaptureStream(source, config.features, reportWindow?.tap(sink, acc, config.features) ?? sink);
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
    if (deps.stateStore && result.sampleCount > 0 && result.sampleCount < config.minSamples) {
      const rolled = await rollWindow(deps.stateStore, dims, acc, baseline);
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
        ? await writeWindowReport(deps.s3, {
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
          })
        : undefined;
    if (written?.written) log.info('drift report written', { report: written.uri });
    const data = metricData(result, dims, config.minSamples, now(), judged);
    if (window && window.expired > 0)
      data.push(countDatum(METRICS.EXPIRED_WINDOW_RECORDS, window.expired, dims, now()));
    await publish(deps.cloudwatch, data);
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
      durationMs: Date.now() - started,
    });
    return {
      ...ref,
      status,
      sampleCount: result.sampleCount,
      malformedRecords: result.malformedRecords,
      metricCount: data.length,
      ...(written?.written ? { report: written.uri } : {}),
    };
  }

  return async (event: unknown): Promise<{ readonly objects: readonly ObjectOutcome[] }> => {
    let refs: S3ObjectRef[];
    try {
      refs = objectsFromEvent(event);
    } catch (err) {
      // Retrying the same event cannot help; log it whole and finish so it does not cycle through retries.
      logger.error('event not understood; ignored', { error: err as Error, event });
      return { objects: [] };
    }
    const baseline = await deps.baseline();
    const outcomes: ObjectOutcome[] = [];
    const failures: string[] = [];
    for (const ref of refs) {
      try {
        outcomes.push(await processObject(ref, baseline));
      } catch (err) {
        logger.error('processing failed; the event will be retried', {
          bucket: ref.bucket,
          key: ref.key,
          error: err as Error,
        });
        outcomes.push({ ...ref, status: 'failed', reason: (err as Error).message });
        failures.push(`s3://${ref.bucket}/${ref.key}: ${awsErrorName(err) ?? 'Error'} ${(err as Error).message}`);
      }
    }
    if (failures.length > 0)
      throw new Error(
        `drift detection failed for ${failures.length} of ${refs.length} object(s): ${failures.join('; ')}`,
      );
    return { objects: outcomes };
  };
}
