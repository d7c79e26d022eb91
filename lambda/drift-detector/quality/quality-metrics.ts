/**
 * The model-quality metrics as CloudWatch data (names from core/contracts/drift-metrics.ts, the alarms watch the same
 * names), beside the drift metrics: same namespace, EndpointName and VariantName dimensions, Reason for the unmatched
 * labels as for MalformedRecords.
 */
import {
  OUTCOME_FAIRNESS_METRIC_NAMES,
  QUALITY_METRICS,
  QUALITY_METRIC_NAMES,
} from '../../../core/contracts/drift-metrics';
import {
  OUTCOME_FAIRNESS_KEYS,
  QualityMetricKey,
  UNMATCHED_LABEL_REASONS,
  UnmatchedLabelReason,
} from '../../../core/contracts/quality';
import { Dimensions, MetricDatum, REASON_DIMENSION, datum } from '../metrics';
import { QualityReport } from './join';
import { EstimatedPerformance } from '../../../core/quality/metrics';

/** The CBPE estimate of a window (from its scores alone): EstimatedAccuracy and, when defined, EstimatedRocAuc. */
export function estimatedData(est: EstimatedPerformance, dims: Dimensions, timestamp: Date): MetricDatum[] {
  const at = { unit: 'None' as const, dims, timestamp };
  return [
    datum(QUALITY_METRICS.ESTIMATED_ACCURACY, est.accuracy, at),
    ...(est.rocAuc !== null ? [datum(QUALITY_METRICS.ESTIMATED_ROC_AUC, est.rocAuc, at)] : []),
  ];
}

/**
 * What a window publishes once labels joined it: its labelled count always; each quality metric and outcome-fairness
 * difference when it holds minLabelled labelled records; the CBPE estimate beside the realised values.
 */
export function windowQualityData(report: QualityReport, dims: Dimensions, timestamp: Date): MetricDatum[] {
  const out = [datum(QUALITY_METRICS.LABELLED_COUNT, report.labelled, { unit: 'Count', dims, timestamp })];
  const at = { unit: 'None' as const, dims, timestamp };
  for (const [key, value] of Object.entries(report.metrics ?? {}))
    if (value !== null && Number.isFinite(value))
      out.push(datum(QUALITY_METRIC_NAMES[key as QualityMetricKey], value, at));
  if (report.fairness)
    for (const key of OUTCOME_FAIRNESS_KEYS)
      out.push(datum(OUTCOME_FAIRNESS_METRIC_NAMES[key], report.fairness[key], at));
  if (report.estimated) out.push(...estimatedData(report.estimated, dims, timestamp));
  return out;
}

/** Labels of one ground-truth file that joined nothing: the total always, then each reason that occurred. */
export function unmatchedData(
  counts: Readonly<Record<UnmatchedLabelReason, number>>,
  dims: Dimensions,
  timestamp: Date,
): MetricDatum[] {
  const total = UNMATCHED_LABEL_REASONS.reduce((sum, r) => sum + counts[r], 0);
  return [
    datum(QUALITY_METRICS.UNMATCHED_LABELS, total, { unit: 'Count', dims, timestamp }),
    ...UNMATCHED_LABEL_REASONS.filter((r) => counts[r] > 0).map((r) =>
      datum(QUALITY_METRICS.UNMATCHED_LABELS, counts[r], {
        unit: 'Count',
        dims,
        timestamp,
        extra: { Name: REASON_DIMENSION, Value: r },
      }),
    ),
  ];
}
