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
import { Logger } from '../shared/logger';
import { BaselineDocument, FeatureSpec, parseFeatureSpec, validateBaseline } from './baseline';
import { DriftAccumulator, DriftResult } from './accumulator';
import { CaptureSink, parseCaptureStream } from './capture-parser';
import { ReportSettings, readReportSettings, rememberBaselineSource, writeWindowReport } from './report/store';
import { ReportWindow } from './report/window';

/** The namespace the IAM policy pins with a cloudwatch:namespace condition (lib/constructs/drift-monitor.ts). */
export const METRIC_NAMESPACE = 'MLOps/Drift';
/** Metric names: the construct's alarms and widgets use these. */
export const METRICS = {
  FEATURE_PSI: 'FeaturePSI',
  FEATURE_KS: 'FeatureKS',
  FEATURE_JS_DISTANCE: 'FeatureJSDistance',
  MAX_FEATURE_PSI: 'MaxFeaturePSI',
  PREDICTION_PSI: 'PredictionPSI',
  DEMOGRAPHIC_PARITY_DIFFERENCE: 'DemographicParityDifference',
  DISPARATE_IMPACT_RATIO: 'DisparateImpactRatio',
  SAMPLE_COUNT: 'SampleCount',
  MALFORMED_RECORDS: 'MalformedRecords',
} as const;
/** PutMetricData takes up to 1000 data per call and 1 MB; 500 small data stay far under both. */
export const METRICS_PER_CALL = 500;
/** Only this many malformed-record reasons are logged per file, so a garbage file cannot flood the log. */
const MAX_LOGGED_REASONS = 5;

export interface DetectorConfig {
  /** Features in payload order. */
  readonly features: readonly FeatureSpec[];
  readonly sensitiveAttribute?: string;
  readonly positiveLabel: string | number;
  /** Below this many valid records a file publishes only SampleCount and MalformedRecords. */
  readonly minSamples: number;
  /** Fairness ignores groups with fewer records. */
  readonly minGroupSize: number;
  /** The endpoint this detector (and its baseline) belongs to; objects of other endpoints are skipped. */
  readonly endpointName?: string;
  /** Used when the object key does not carry the variant. */
  readonly variantName?: string;
  readonly baselineBucket: string;
  readonly baselineKey: string;
  /** Where drift reports go (report/store.ts); undefined: no reports. */
  readonly reports?: ReportSettings;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigurationError(`environment variable ${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string, hint: string): string {
  const v = env[name];
  if (v === undefined || v === '')
    throw new ConfigurationError(`environment variable ${name} is required but not set (${hint})`);
  return v;
}

/** Reads and checks the environment once, at cold start. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DetectorConfig {
  const featuresRaw = required(env, 'FEATURES', 'e.g. amount:numeric,gender:categorical, in payload order');
  let features: FeatureSpec[];
  try {
    features = parseFeatureSpec(featuresRaw);
  } catch (err) {
    throw new ConfigurationError(`environment variable FEATURES: ${(err as Error).message}`);
  }
  const sensitiveAttribute = env.SENSITIVE_ATTRIBUTE === '' ? undefined : env.SENSITIVE_ATTRIBUTE;
  if (sensitiveAttribute !== undefined && !features.some((f) => f.name === sensitiveAttribute)) {
    throw new ConfigurationError(
      `environment variable SENSITIVE_ATTRIBUTE "${sensitiveAttribute}" must be one of FEATURES [${features.map((f) => f.name).join(', ')}]`,
    );
  }
  const reports = readReportSettings(env);
  return {
    features,
    ...(sensitiveAttribute !== undefined ? { sensitiveAttribute } : {}),
    positiveLabel: env.POSITIVE_LABEL === undefined || env.POSITIVE_LABEL === '' ? 1 : env.POSITIVE_LABEL,
    minSamples: intFromEnv(env, 'MIN_SAMPLES', 200, 1),
    minGroupSize: intFromEnv(env, 'MIN_GROUP_SIZE', 100, 1),
    ...(env.ENDPOINT_NAME ? { endpointName: env.ENDPOINT_NAME } : {}),
    ...(env.VARIANT_NAME ? { variantName: env.VARIANT_NAME } : {}),
    baselineBucket: required(env, 'BASELINE_BUCKET', 'the bucket of the baseline document'),
    baselineKey: required(env, 'BASELINE_KEY', 'the key of the baseline document'),
    ...(reports !== undefined ? { reports } : {}),
  };
}

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

export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** Accepts EventBridge "Object Created" events and classic S3 notifications (Records[].s3, URL-encoded keys). */
export function objectsFromEvent(event: unknown): S3ObjectRef[] {
  const e = event as {
    'detail-type'?: unknown;
    detail?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
    Records?: { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } }[];
  } | null;
  if (e && typeof e.detail === 'object' && e.detail !== null) {
    const bucket = e.detail.bucket?.name;
    const key = e.detail.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') {
      throw new InputError(
        'EventBridge event lacks detail.bucket.name or detail.object.key: is the rule matching S3 "Object Created" events?',
      );
    }
    return [{ bucket, key }];
  }
  if (e && Array.isArray(e.Records)) {
    return e.Records.map((r, i) => {
      const bucket = r?.s3?.bucket?.name;
      const key = r?.s3?.object?.key;
      if (typeof bucket !== 'string' || typeof key !== 'string')
        throw new InputError(`Records[${i}] lacks s3.bucket.name or s3.object.key`);
      return { bucket, key: decodeURIComponent(key.replace(/\+/g, ' ')) };
    });
  }
  throw new InputError(
    'event is neither an EventBridge S3 event (detail.bucket/detail.object) nor an S3 notification (Records[].s3)',
  );
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

/** The metric data one file's result publishes; below minSamples only SampleCount and MalformedRecords. */
export function metricData(result: DriftResult, dims: Dimensions, minSamples: number, timestamp: Date): MetricDatum[] {
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
  if (result.sampleCount < minSamples) return out;
  for (const f of result.features) {
    put(METRICS.FEATURE_PSI, f.psi, 'None', f.name);
    put(METRICS.FEATURE_JS_DISTANCE, f.jsDistance, 'None', f.name);
    if (f.type === 'numeric') put(METRICS.FEATURE_KS, f.ks, 'None', f.name);
  }
  put(METRICS.MAX_FEATURE_PSI, result.maxFeaturePsi, 'None');
  put(METRICS.PREDICTION_PSI, result.predictionPsi, 'None');
  put(METRICS.DEMOGRAPHIC_PARITY_DIFFERENCE, result.demographicParityDifference, 'None');
  put(METRICS.DISPARATE_IMPACT_RATIO, result.disparateImpactRatio, 'None');
  return out;
}

export interface HandlerDeps {
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly logger: Logger;
  readonly config: DetectorConfig;
  readonly baseline: () => Promise<BaselineDocument>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface ObjectOutcome {
  readonly bucket: string;
  readonly key: string;
  readonly status: 'published' | 'skipped' | 'malformed-file' | 'failed';
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
    const acc = new DriftAccumulator(baseline, {
      features: config.features,
      ...(config.sensitiveAttribute !== undefined ? { sensitiveAttribute: config.sensitiveAttribute } : {}),
      positiveLabel: config.positiveLabel,
      minGroupSize: config.minGroupSize,
    });
    let reasons = 0;
    let status: ObjectOutcome['status'] = 'published';
    let source = await bodyStream(res.Body);
    // pipeline (not pipe) so an error of the S3 stream reaches the gunzip stream the parser reads.
    if (ref.key.endsWith('.gz')) source = pipeline(source, createGunzip(), () => undefined);
    const sink: CaptureSink = {
      record: (values, prediction) => {
        if (!acc.add(values, prediction) && reasons++ < MAX_LOGGED_REASONS)
          log.warn('malformed record skipped: a value is unreadable for its feature type');
      },
      malformed: (n, reason, line) => {
        acc.addMalformed(n);
        if (reasons++ < MAX_LOGGED_REASONS) log.warn('malformed capture line skipped', { line, rows: n, reason });
      },
    };
    // Only when reports are on: the window keeps skip reasons and the time range the report shows.
    const window = config.reports ? new ReportWindow() : undefined;
    try {
      await parseCaptureStream(source, config.features, window?.tap(sink, acc, config.features) ?? sink);
    } catch (err) {
      if (!isContentError(err)) throw err;
      // The file itself is broken (bad gzip, ...): report what was read plus one for the file, never block the next.
      acc.addMalformed(1);
      window?.skip(`capture file is unreadable: ${(err as Error).message}`);
      status = 'malformed-file';
      log.error('capture file is unreadable; counted as malformed and skipped', { error: err as Error });
    }
    const result = acc.result();
    // The report is written before the metrics: when the alarm fires, the report it names is already there.
    const written =
      config.reports && window
        ? await writeWindowReport(deps.s3, {
            settings: config.reports,
            baseline,
            baselineLocation: `s3://${config.baselineBucket}/${config.baselineKey}`,
            result,
            counts: acc.counts(),
            window,
            capture: ref,
            endpointName,
            variantName,
            now: now(),
          })
        : undefined;
    if (written?.written) log.info('drift report written', { report: written.uri });
    const data = metricData(result, { endpointName, variantName }, config.minSamples, now());
    await publish(deps.cloudwatch, data);
    log.info('drift computed', {
      endpointName,
      variantName,
      status,
      sampleCount: result.sampleCount,
      malformedRecords: result.malformedRecords,
      belowMinSamples: result.sampleCount < config.minSamples,
      maxFeaturePsi: result.maxFeaturePsi,
      predictionPsi: result.predictionPsi,
      disparateImpactRatio: result.disparateImpactRatio,
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
