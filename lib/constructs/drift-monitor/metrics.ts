/**
 * The drift detector's metrics (names from core/contracts/drift-metrics, the detector publishes them): one method per
 * metric, each with the endpoint and variant dimensions and the alarm period, so alarms and widgets ask for a metric
 * by what it measures.
 */
import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import {
  DRIFT_METRICS,
  DRIFT_NAMESPACE,
  OUTCOME_FAIRNESS_METRIC_NAMES,
  QUALITY_METRICS,
  QUALITY_METRIC_NAMES,
} from '../../../core/contracts/drift-metrics';
import { OutcomeFairnessKey, QualityMetricKey } from '../../../core/contracts/quality';

export interface DriftMetricFactoryProps {
  /** The endpoint whose captured traffic is judged (dimension EndpointName). */
  readonly endpointName: string;
  /** The variant (dimension VariantName). */
  readonly variantName: string;
  /** Period of every metric: what one alarm datapoint averages. */
  readonly period: Duration;
}

export class DriftMetricFactory {
  constructor(private readonly props: DriftMetricFactoryProps) {}

  /** Any detector metric with this endpoint's dimensions; average over the period unless `options` says otherwise. */
  metric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: DRIFT_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.AVERAGE,
      period: this.props.period,
      ...options,
      dimensionsMap: {
        EndpointName: this.props.endpointName,
        VariantName: this.props.variantName,
        ...options.dimensionsMap,
      },
    });
  }

  /** A per-feature detector metric (dimension Feature). */
  featureMetric(metricName: string, feature: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(metricName, { ...options, dimensionsMap: { ...options.dimensionsMap, Feature: feature } });
  }

  /** Population Stability Index of one feature against the baseline. */
  metricFeaturePsi(feature: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.featureMetric(DRIFT_METRICS.FEATURE_PSI, feature, options);
  }

  /** Kolmogorov-Smirnov statistic of one numeric feature. */
  metricFeatureKs(feature: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.featureMetric(DRIFT_METRICS.FEATURE_KS, feature, options);
  }

  /** Jensen-Shannon distance of one feature. */
  metricFeatureJsDistance(feature: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.featureMetric(DRIFT_METRICS.FEATURE_JS_DISTANCE, feature, options);
  }

  /** The largest feature PSI of a window. */
  metricMaxFeaturePsi(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRICS.MAX_FEATURE_PSI, options);
  }

  /** PSI of the prediction distribution. */
  metricPredictionPsi(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRICS.PREDICTION_PSI, options);
  }

  /** Lowest / highest positive-prediction rate across the sensitive groups. */
  metricDisparateImpactRatio(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRICS.DISPARATE_IMPACT_RATIO, options);
  }

  /** Highest minus lowest positive-prediction rate across the sensitive groups. */
  metricParityDifference(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRICS.DEMOGRAPHIC_PARITY_DIFFERENCE, options);
  }

  /** A count the detector publishes per file (records, malformed records, ...), summed over the period. */
  metricCount(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic: cloudwatch.Stats.SUM, ...options });
  }

  /** A model-quality metric of the windows labelled in the period (accuracy, ..., or mae, rmse, r2). */
  metricQuality(key: QualityMetricKey, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(QUALITY_METRIC_NAMES[key], options);
  }

  /** An outcome-fairness difference (max - min across the sensitive groups) of the labelled windows. */
  metricOutcomeFairness(key: OutcomeFairnessKey, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(OUTCOME_FAIRNESS_METRIC_NAMES[key], options);
  }

  /** CBPE estimate of accuracy from the scores alone, while labels are late. */
  metricEstimatedAccuracy(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(QUALITY_METRICS.ESTIMATED_ACCURACY, options);
  }

  /**
   * Hours since labels last joined a window (published hourly): its maximum over the period, so one reading above
   * maxLabelDelayHours is enough, whatever the delay (CloudWatch alarms look back at most a day).
   */
  metricHoursSinceLastLabels(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(QUALITY_METRICS.HOURS_SINCE_LAST_LABELS, {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.hours(1),
      ...options,
    });
  }
}
