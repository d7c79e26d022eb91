/**
 * The drift detector's CloudWatch namespace and metric names: published by lambda/drift-detector, watched by the
 * DriftMonitor construct's alarms and dashboard. One definition, imported by both (pure: no aws-cdk-lib).
 */
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
