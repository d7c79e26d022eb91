/**
 * The drift detector's CloudWatch namespace and metric names: published by lambda/drift-detector, watched by the
 * DriftMonitor construct's alarms and dashboard. One definition, imported by both (pure: no aws-cdk-lib).
 */
import { OutcomeFairnessKey, QualityMetricKey } from './quality';

export const DRIFT_NAMESPACE = 'MLOps/Drift';

export const DRIFT_METRICS = {
  FEATURE_PSI: 'FeaturePSI',
  FEATURE_KS: 'FeatureKS',
  FEATURE_JS_DISTANCE: 'FeatureJSDistance',
  MAX_FEATURE_PSI: 'MaxFeaturePSI',
  PREDICTION_PSI: 'PredictionPSI',
  DEMOGRAPHIC_PARITY_DIFFERENCE: 'DemographicParityDifference',
  DISPARATE_IMPACT_RATIO: 'DisparateImpactRatio',
  SAMPLE_COUNT: 'SampleCount',
  MALFORMED_RECORDS: 'MalformedRecords',
  MISSING_PREDICTIONS: 'MissingPredictions',
  FAIRNESS_GROUPS_EXCLUDED: 'FairnessGroupsExcluded',
  WINDOW_SAMPLE_COUNT: 'WindowSampleCount',
  EXPIRED_WINDOW_RECORDS: 'ExpiredWindowRecords',
  DUPLICATE_FILES: 'DuplicateFiles',
} as const;

/**
 * Model-quality metrics from delayed ground truth, in the same namespace and with the same EndpointName and
 * VariantName dimensions as the drift metrics (UnmatchedLabels also per Reason).
 */
export const QUALITY_METRICS = {
  /** Predictions of a window joined to a valid label so far. */
  LABELLED_COUNT: 'LabelledCount',
  /** Labels of a ground-truth file that joined nothing, all reasons and per Reason. */
  UNMATCHED_LABELS: 'UnmatchedLabels',
  /** Confidence-based estimate (CBPE) of a window's accuracy and ROC AUC from its scores alone. */
  ESTIMATED_ACCURACY: 'EstimatedAccuracy',
  ESTIMATED_ROC_AUC: 'EstimatedRocAuc',
  /** Hours since a window last received a label (or since monitoring began): published hourly. */
  HOURS_SINCE_LAST_LABELS: 'HoursSinceLastLabelledWindow',
} as const;

/** The CloudWatch name of each quality metric of the report's `quality.metrics`. */
export const QUALITY_METRIC_NAMES: Readonly<Record<QualityMetricKey, string>> = {
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  falsePositiveRate: 'FalsePositiveRate',
  rocAuc: 'RocAuc',
  mae: 'MAE',
  rmse: 'RMSE',
  r2: 'R2',
};

/** The CloudWatch name of each outcome-fairness difference of the report's `quality.fairness`. */
export const OUTCOME_FAIRNESS_METRIC_NAMES: Readonly<Record<OutcomeFairnessKey, string>> = {
  equalOpportunityDifference: 'EqualOpportunityDifference',
  equalizedOddsDifference: 'EqualizedOddsDifference',
  predictiveParityDifference: 'PredictiveParityDifference',
};
