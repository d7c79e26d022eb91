/**
 * The metrics a capture file publishes: names and namespace from core/contracts/drift-metrics.ts (the construct's
 * alarms and widgets watch the same names), dimensions EndpointName, VariantName and, per statistic, Feature or
 * Reason. They leave as CloudWatch Embedded Metric Format documents, one JSON line each on stdout: the function's
 * log group turns them into metrics, so there is no synchronous PutMetricData call and no cloudwatch:PutMetricData
 * permission. A small writer rather than Powertools Metrics: every datum carries its own dimensions and timestamp,
 * which Powertools' one-dimension-set-per-flush model would need a flush per group for, and the writer adds no
 * dependency to the bundle.
 */
import { DRIFT_METRICS, DRIFT_NAMESPACE } from '../../core/contracts/drift-metrics';
import { DriftResult } from './counting/drift-result';
import { MALFORMED_REASONS } from './capture-sink';

/** The namespace the IAM policy pins with a cloudwatch:namespace condition (lib/constructs/drift-monitor.ts). */
export const METRIC_NAMESPACE = DRIFT_NAMESPACE;
/** Metric names the construct's alarms and widgets watch (one definition: core/contracts/drift-metrics.ts). */
export const METRICS = DRIFT_METRICS;
/** Dimension of the per-reason MalformedRecords metric (values: capture-sink.ts MALFORMED_REASONS). */
export const REASON_DIMENSION = 'Reason';
/** EMF allows at most 100 metrics per document. */
export const METRICS_PER_DOCUMENT = 100;

/** One metric value, in PutMetricData's vocabulary (what the alarms were written against). */
export interface MetricDatum {
  readonly MetricName: string;
  readonly Value: number;
  readonly Unit: 'Count' | 'None';
  readonly Timestamp: Date;
  readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

/** Where EMF lines go: stdout in Lambda (written raw, so the runtime's JSON log format does not wrap them). */
export type MetricWriter = (line: string) => void;

export const stdoutMetricWriter: MetricWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

export interface Dimensions {
  readonly endpointName: string;
  readonly variantName: string;
}

/** A value of one endpoint variant, with one more dimension (Feature, Reason) when `extra` names it. */
export function datum(
  name: string,
  value: number,
  opts: {
    readonly unit: MetricDatum['Unit'];
    readonly dims: Dimensions;
    readonly timestamp: Date;
    readonly extra?: { readonly Name: string; readonly Value: string };
  },
): MetricDatum {
  return {
    MetricName: name,
    Value: value,
    Unit: opts.unit,
    Timestamp: opts.timestamp,
    Dimensions: [
      { Name: 'EndpointName', Value: opts.dims.endpointName },
      { Name: 'VariantName', Value: opts.dims.variantName },
      ...(opts.extra ? [opts.extra] : []),
    ],
  };
}

/** A count of one endpoint variant (no Feature or Reason dimension). */
export function countDatum(name: string, value: number, dims: Dimensions, timestamp: Date): MetricDatum {
  return datum(name, value, { unit: 'Count', dims, timestamp });
}

/**
 * The metric data one file publishes: its own counts always; drift statistics from `judged` (the file, or the
 * window of small files it completed) when that holds at least minSamples records.
 */
export function metricData(opts: {
  /** The file's own result: its counts are always published. */
  readonly file: DriftResult;
  /** The file's, or the window's of small files it completed; @default file */
  readonly judged?: DriftResult;
  readonly dims: Dimensions;
  readonly minSamples: number;
  readonly timestamp: Date;
}): MetricDatum[] {
  const { file: result, dims, minSamples, timestamp } = opts;
  const judged = opts.judged ?? result;
  const base = [
    { Name: 'EndpointName', Value: dims.endpointName },
    { Name: 'VariantName', Value: dims.variantName },
  ];
  const out: MetricDatum[] = [];
  const put = (name: string, value: number | undefined, unit: MetricDatum['Unit'], feature?: string) => {
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

/** An EMF document: the metric declarations under `_aws`, dimension and metric values at the top level. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [field: string]: unknown;
}

/**
 * The EMF documents carrying `data`: one per dimension values and timestamp, since a document holds one value per
 * name; a name seen twice in a group, or a 101st metric, starts another document.
 */
export function emfDocuments(data: readonly MetricDatum[]): EmfDocument[] {
  const open = new Map<string, { doc: Record<string, unknown>; metrics: { Name: string; Unit: string }[] }>();
  const out: EmfDocument[] = [];
  for (const d of data) {
    const groupKey = JSON.stringify([d.Timestamp.getTime(), d.Dimensions]);
    let group = open.get(groupKey);
    if (!group || d.MetricName in group.doc || group.metrics.length === METRICS_PER_DOCUMENT) {
      const metrics: { Name: string; Unit: string }[] = [];
      const doc: Record<string, unknown> = {
        _aws: {
          Timestamp: d.Timestamp.getTime(),
          CloudWatchMetrics: [
            { Namespace: METRIC_NAMESPACE, Dimensions: [d.Dimensions.map((x) => x.Name)], Metrics: metrics },
          ],
        },
        ...Object.fromEntries(d.Dimensions.map((x) => [x.Name, x.Value])),
      };
      group = { doc, metrics };
      open.set(groupKey, group);
      out.push(doc as EmfDocument);
    }
    group.metrics.push({ Name: d.MetricName, Unit: d.Unit });
    group.doc[d.MetricName] = d.Value;
  }
  return out;
}

/** Writes `data` as EMF lines. */
export function publish(write: MetricWriter, data: readonly MetricDatum[]): void {
  for (const doc of emfDocuments(data)) write(JSON.stringify(doc));
}
