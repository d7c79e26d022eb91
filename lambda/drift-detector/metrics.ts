/**
 * The metrics a capture file publishes, as CloudWatch data: names and namespace from lib/contracts/drift-metrics.ts
 * (the construct's alarms and widgets watch the same names), dimensions EndpointName, VariantName and, per
 * statistic, Feature or Reason.
 */
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { DRIFT_METRICS, DRIFT_NAMESPACE } from '../../lib/contracts/drift-metrics';
import { DriftResult } from './accumulator';
import { MALFORMED_REASONS } from './capture-parser';

/** The namespace the IAM policy pins with a cloudwatch:namespace condition (lib/constructs/drift-monitor.ts). */
export const METRIC_NAMESPACE = DRIFT_NAMESPACE;
/** Metric names the construct's alarms and widgets watch (one definition: lib/contracts/drift-metrics.ts). */
export const METRICS = DRIFT_METRICS;
/** Dimension of the per-reason MalformedRecords metric (values: capture-parser.ts MALFORMED_REASONS). */
export const REASON_DIMENSION = 'Reason';
/** PutMetricData takes up to 1000 data per call and 1 MB; 500 small data stay far under both. */
export const METRICS_PER_CALL = 500;

export interface Dimensions {
  readonly endpointName: string;
  readonly variantName: string;
}

/** A count of one endpoint variant (no Feature or Reason dimension). */
export function countDatum(name: string, value: number, dims: Dimensions, timestamp: Date): MetricDatum {
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

export async function publish(cloudwatch: CloudWatchClient, data: readonly MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += METRICS_PER_CALL) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data.slice(i, i + METRICS_PER_CALL) }),
    );
  }
}
