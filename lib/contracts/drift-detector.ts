/**
 * The drift detector's contract between the DriftMonitor construct (synth time) and lambda/drift-detector (run
 * time): the feature list format and the environment. The construct renders the environment with
 * `driftDetectorEnvironment`; the detector parses it back with the schema in this module. The drift report keys
 * are in ./drift-report, the metric names in ./drift-metrics. Pure: no aws-cdk-lib, no SDK.
 */

export type FeatureType = 'numeric' | 'categorical';

/** One model input feature, in payload order. */
export interface FeatureSpec {
  readonly name: string;
  readonly type: FeatureType;
}

/** `name:type,name:type`: the FEATURES variable and the baseline CLI's --features. */
export function formatFeatureSpec(features: readonly FeatureSpec[]): string {
  return features.map((f) => `${f.name}:${f.type}`).join(',');
}

/** Environment variables the construct sets and the detector reads. */
export const DRIFT_DETECTOR_ENV = {
  /** Features in payload order, `name:numeric,name:categorical`. */
  FEATURES: 'FEATURES',
  /** The sensitive attribute fairness is judged on (one of FEATURES); unset = no fairness metrics. */
  SENSITIVE_ATTRIBUTE: 'SENSITIVE_ATTRIBUTE',
  /** The prediction value counted as the favourable outcome. */
  POSITIVE_LABEL: 'POSITIVE_LABEL',
  /** Records a window needs before it is judged. */
  MIN_SAMPLES: 'MIN_SAMPLES',
  /** Records a sensitive group needs to take part in the fairness metrics. */
  MIN_GROUP_SIZE: 'MIN_GROUP_SIZE',
  /** Oldest record a rolling window keeps, in hours. */
  WINDOW_MAX_AGE_HOURS: 'WINDOW_MAX_AGE_HOURS',
  /** Bucket (the capture bucket) and key prefix of the rolling-window state. */
  STATE_BUCKET: 'STATE_BUCKET',
  STATE_PREFIX: 'STATE_PREFIX',
  /** The endpoint and variant the metrics are published for. */
  ENDPOINT_NAME: 'ENDPOINT_NAME',
  VARIANT_NAME: 'VARIANT_NAME',
  /** Where the baseline document (`npm run baseline`) is. */
  BASELINE_BUCKET: 'BASELINE_BUCKET',
  BASELINE_KEY: 'BASELINE_KEY',
  /** DEBUG, INFO, WARN or ERROR. */
  LOG_LEVEL: 'LOG_LEVEL',
} as const;

/** What the construct tells the detector, as typed values (strings may be CDK tokens at synth). */
export interface DriftDetectorEnvironment {
  readonly features: readonly FeatureSpec[];
  readonly sensitiveAttribute?: string;
  readonly positiveLabel: string | number;
  readonly minSamples: number;
  readonly minGroupSize: number;
  readonly windowMaxAgeHours: number;
  readonly stateBucket: string;
  readonly statePrefix: string;
  readonly endpointName: string;
  readonly variantName: string;
  readonly baselineBucket: string;
  readonly baselineKey: string;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Renders the detector's environment (without the report keys of ./drift-report). */
export function driftDetectorEnvironment(e: DriftDetectorEnvironment): Record<string, string> {
  return {
    [DRIFT_DETECTOR_ENV.FEATURES]: formatFeatureSpec(e.features),
    ...(e.sensitiveAttribute !== undefined ? { [DRIFT_DETECTOR_ENV.SENSITIVE_ATTRIBUTE]: e.sensitiveAttribute } : {}),
    [DRIFT_DETECTOR_ENV.POSITIVE_LABEL]: String(e.positiveLabel),
    [DRIFT_DETECTOR_ENV.MIN_SAMPLES]: String(e.minSamples),
    [DRIFT_DETECTOR_ENV.MIN_GROUP_SIZE]: String(e.minGroupSize),
    [DRIFT_DETECTOR_ENV.WINDOW_MAX_AGE_HOURS]: String(e.windowMaxAgeHours),
    [DRIFT_DETECTOR_ENV.STATE_BUCKET]: e.stateBucket,
    [DRIFT_DETECTOR_ENV.STATE_PREFIX]: e.statePrefix,
    [DRIFT_DETECTOR_ENV.ENDPOINT_NAME]: e.endpointName,
    [DRIFT_DETECTOR_ENV.VARIANT_NAME]: e.variantName,
    [DRIFT_DETECTOR_ENV.BASELINE_BUCKET]: e.baselineBucket,
    [DRIFT_DETECTOR_ENV.BASELINE_KEY]: e.baselineKey,
    [DRIFT_DETECTOR_ENV.LOG_LEVEL]: e.logLevel ?? 'INFO',
  };
}
