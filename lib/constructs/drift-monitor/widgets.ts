/** Drift and fairness graphs for an endpoint dashboard, from the metric factory. */
import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { DRIFT_METRICS } from '../../../core/contracts/drift-metrics';
import { DriftThresholds } from '../../../core/contracts/drift-report';
import { DriftMetricFactory } from './metrics';

export interface DriftWidgetsProps {
  /** The detector's metrics. */
  readonly metrics: DriftMetricFactory;
  /** `endpoint/variant`, in the first title. */
  readonly subject: string;
  /** The monitored features (KS is graphed for the numeric ones only). */
  readonly features: readonly FeatureSpec[];
  /** @default - no fairness graph */
  readonly sensitiveAttribute?: string;
  /** The alarm thresholds, drawn as annotations. */
  readonly thresholds: DriftThresholds;
  /** Shown in the alarm status widget. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

export function driftWidgets(props: DriftWidgetsProps): cloudwatch.IWidget[] {
  const { metrics: m, features, thresholds: t } = props;
  const numeric = features.filter((f) => f.type === 'numeric');
  const out: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: `Feature drift (PSI) — ${props.subject}`,
      left: [
        ...features.map((f) => m.metricFeaturePsi(f.name, { label: f.name })),
        m.metricMaxFeaturePsi({ label: 'max over features', statistic: cloudwatch.Stats.MAXIMUM }),
      ],
      leftAnnotations: [{ value: t.psi, label: `PSI alarm ${t.psi}`, color: cloudwatch.Color.RED }],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Feature drift (Jensen-Shannon distance, KS)',
      left: features.map((f) => m.metricFeatureJsDistance(f.name, { label: `JS ${f.name}` })),
      right: numeric.map((f) => m.metricFeatureKs(f.name, { label: `KS ${f.name}` })),
      leftAnnotations: [{ value: t.jsDistance, label: `JS ${t.jsDistance}` }],
      rightAnnotations: [{ value: t.ks, label: `KS ${t.ks}` }],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Prediction drift (PSI)',
      left: [m.metricPredictionPsi({ label: 'prediction PSI' })],
      leftAnnotations: [{ value: t.predictionPsi, label: `alarm ${t.predictionPsi}`, color: cloudwatch.Color.RED }],
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Records analysed',
      left: [m.metricCount(DRIFT_METRICS.SAMPLE_COUNT, { label: 'records' })],
      right: [
        m.metricCount(DRIFT_METRICS.MALFORMED_RECORDS, { label: 'malformed' }),
        m.metricCount(DRIFT_METRICS.MISSING_PREDICTIONS, { label: 'missing predictions' }),
        m.metricCount(DRIFT_METRICS.DUPLICATE_FILES, { label: 'redelivered files' }),
        m.metric(DRIFT_METRICS.FAIRNESS_GROUPS_EXCLUDED, {
          label: 'fairness groups below min size',
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      ],
      width: 8,
    }),
  ];
  if (props.sensitiveAttribute !== undefined) {
    out.push(
      new cloudwatch.GraphWidget({
        title: `Fairness across ${props.sensitiveAttribute}`,
        left: [m.metricDisparateImpactRatio({ label: 'disparate impact ratio' })],
        right: [m.metricParityDifference({ label: 'demographic parity difference' })],
        leftAnnotations: [
          { value: t.disparateImpactMin, label: `DI min ${t.disparateImpactMin}`, color: cloudwatch.Color.RED },
        ],
        rightAnnotations: [
          { value: t.parityDifferenceMax, label: `DPD max ${t.parityDifferenceMax}`, color: cloudwatch.Color.ORANGE },
        ],
        width: 8,
      }),
    );
  }
  out.push(
    new cloudwatch.AlarmStatusWidget({ title: 'Drift and fairness alarms', alarms: [...props.alarms], width: 24 }),
  );
  return out;
}
