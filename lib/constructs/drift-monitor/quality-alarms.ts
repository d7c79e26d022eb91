/**
 * The run-time quality alarms of a `DriftMonitor` with `quality`, keyed by what they watch: a drop beyond tolerance
 * per metric with a reference value, each outcome-fairness difference above its limit, and labels that stopped
 * arriving.
 */
import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  CLASSIFICATION_METRIC_KEYS,
  OUTCOME_FAIRNESS_KEYS,
  QUALITY_DEFAULTS,
  QualityMetricKey,
  QualitySettings,
  REGRESSION_METRIC_KEYS,
} from '../../../core/contracts/quality';
import { DriftAlarmFactory, LABELS_STOPPED_MISSING_DATA, qualityDropThreshold } from './alarms';
import { DriftMetricFactory } from './metrics';

/** What the quality alarms watch and how they are worded. */
export interface QualityAlarmsOptions {
  readonly quality: QualitySettings;
  readonly metrics: DriftMetricFactory;
  /** `<endpoint>/<variant>`: how every description starts. */
  readonly subject: string;
  /** With a binary classifier: the outcome-fairness alarms across it. */
  readonly sensitiveAttribute?: string;
  /** Where the labels go, named by the labels-stopped alarm. */
  readonly groundTruthUri?: string;
  readonly period: Duration;
}

export interface QualityAlarms {
  readonly drops: Partial<Record<QualityMetricKey, cloudwatch.Alarm>>;
  readonly fairness: Record<string, cloudwatch.Alarm>;
  readonly labelsStopped: cloudwatch.Alarm;
}

/** The quality alarms, made in `scope` by `alarms`. */
export function renderQualityAlarms(
  scope: Construct,
  alarms: DriftAlarmFactory,
  opts: QualityAlarmsOptions,
): QualityAlarms {
  const { quality, metrics, subject, period } = opts;
  const keys: readonly QualityMetricKey[] =
    quality.problemType === 'regression' ? REGRESSION_METRIC_KEYS : CLASSIFICATION_METRIC_KEYS;
  const dropScope = new Construct(scope, 'QualityDrop');
  const drops: Partial<Record<QualityMetricKey, cloudwatch.Alarm>> = {};
  for (const key of keys) {
    const reference = quality.reference[key];
    if (reference === undefined) continue;
    const limit = qualityDropThreshold(key, reference, quality.tolerance[key]);
    drops[key] = alarms.addAlarm(dropScope, key, {
      description: `${subject}: model quality dropped: ${key} of the labelled windows ${limit.words} (reference from monitoring.quality.reference)`,
      metric: metrics.metricQuality(key, { period }),
      threshold: limit.threshold,
      comparisonOperator: limit.comparisonOperator,
    });
  }
  const fairness: Record<string, cloudwatch.Alarm> = {};
  if (opts.sensitiveAttribute !== undefined && quality.problemType === 'binary-classification') {
    const fairnessScope = new Construct(scope, 'OutcomeFairness');
    for (const key of OUTCOME_FAIRNESS_KEYS) {
      const max = quality.fairnessMax[key] ?? QUALITY_DEFAULTS.fairnessMax;
      fairness[key] = alarms.addAlarm(fairnessScope, key, {
        description: `${subject}: outcome fairness across "${opts.sensitiveAttribute}": ${key} above ${max}`,
        metric: metrics.metricOutcomeFairness(key, { period }),
        threshold: max,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
  }
  const labelsStopped = alarms.addAlarm(scope, 'LabelsStopped', {
    description: `${subject}: no ground-truth label joined a window for more than maxLabelDelayHours (${quality.maxLabelDelayHours} h): is the label feed to ${opts.groundTruthUri} still running?`,
    metric: metrics.metricHoursSinceLastLabels(),
    threshold: quality.maxLabelDelayHours,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingDataOverride: LABELS_STOPPED_MISSING_DATA,
  });
  return { drops, fairness, labelsStopped };
}
