/**
 * The drift detector's contract between the DriftMonitor construct (synth time) and lambda/drift-detector (run
 * time): the feature list format and the environment. The construct renders the environment with
 * `driftDetectorEnvironment`; the detector parses it back with the schema in this module. The drift report keys
 * are in ./drift-report, the metric names in ./drift-metrics. Pure: no aws-cdk-lib, no SDK.
 */

import * as z from 'zod';
import {
  DRIFT_THRESHOLD_DEFAULTS,
  DriftReportSettings,
  driftReportEnvironmentShape,
  driftReportSettings,
} from './drift-report';
import {
  EnvironmentError,
  environmentProblems,
  integerVariable,
  optionalVariable,
  requiredVariable,
} from './environment';
import { pathString } from './problems';
import {
  CLASSIFICATION_METRIC_KEYS,
  LABEL_FIELDS,
  OUTCOME_FAIRNESS_KEYS,
  PROBLEM_TYPES,
  QualitySettings,
  REGRESSION_METRIC_KEYS,
  SCORE_FIELDS,
} from './quality';

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

/** Parses `amount:numeric,merchant_category:categorical` (the inverse of formatFeatureSpec); throws naming the bad entry. */
export function parseFeatureSpec(spec: string): FeatureSpec[] {
  const out: FeatureSpec[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^([^:\s]+):(numeric|categorical)$/.exec(part);
    if (!m) throw new RangeError(`feature "${part}" must be name:numeric or name:categorical`);
    if (out.some((f) => f.name === m[1])) throw new RangeError(`feature "${m[1]}" is listed twice`);
    out.push({ name: m[1] as string, type: m[2] as FeatureType });
  }
  if (out.length === 0) throw new RangeError('no features given: list them as name:numeric,name:categorical');
  return out;
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
  /** The resolved quality settings (JSON); unset = no ledger, no ground-truth join, no quality metrics. */
  QUALITY: 'QUALITY',
  /** The capture key's ARN: ledgers are written SSE-KMS with it. Required with QUALITY. */
  LEDGER_KMS_KEY_ARN: 'LEDGER_KMS_KEY_ARN',
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
  /** @default - no quality monitoring */
  readonly quality?: QualitySettings;
  /** The capture key's ARN (ledgers are encrypted with it); required with `quality`. */
  readonly ledgerKmsKeyArn?: string;
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
    ...(e.quality !== undefined ? { [DRIFT_DETECTOR_ENV.QUALITY]: JSON.stringify(e.quality) } : {}),
    ...(e.ledgerKmsKeyArn !== undefined ? { [DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN]: e.ledgerKmsKeyArn } : {}),
  };
}

const label = z.union([z.string(), z.number()]);
const metricRecord = (keys: readonly string[], value: z.ZodNumber) =>
  z.record(z.string(), value).refine((r) => Object.keys(r).every((k) => keys.includes(k)), {
    error: (i) =>
      `keys must be among ${keys.join(', ')}, got ${Object.keys(i.input as object)
        .filter((k) => !keys.includes(k))
        .join(', ')}`,
  });
const QUALITY_METRIC_KEY_LIST = [...CLASSIFICATION_METRIC_KEYS, ...REGRESSION_METRIC_KEYS];

/** The QUALITY variable: the resolved settings the construct renders with JSON.stringify. */
export const QualitySettingsSchema = z
  .object({
    problemType: z.enum(PROBLEM_TYPES),
    positiveLabel: label,
    negativeLabel: label,
    decisionThreshold: z.number().min(0).max(1),
    labelField: z.enum(LABEL_FIELDS).optional(),
    scoreField: z.enum(SCORE_FIELDS).optional(),
    minLabelled: z.number().int().min(1),
    minGroupSize: z.number().int().min(1),
    maxLabelDelayHours: z.number().int().min(1).max(8760),
    reference: metricRecord(QUALITY_METRIC_KEY_LIST, z.number()),
    tolerance: metricRecord(QUALITY_METRIC_KEY_LIST, z.number().min(0)),
    fairnessMax: metricRecord(OUTCOME_FAIRNESS_KEYS, z.number().min(0)),
  })
  .strict();

const qualityVariable = optionalVariable.transform((raw, ctx): QualitySettings | undefined => {
  if (raw === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    ctx.addIssue({ code: 'custom', continue: true, message: `is not JSON (${(err as Error).message})` });
    return undefined;
  }
  const parsed = QualitySettingsSchema.safeParse(doc);
  if (parsed.success) return parsed.data as QualitySettings;
  for (const i of parsed.error.issues)
    ctx.addIssue({
      code: 'custom',
      continue: true,
      message: `.${pathString(i.path)} ${i.message} (render it with driftDetectorEnvironment from monitoring.quality)`,
    });
  return undefined;
});

const featureList = requiredVariable('e.g. amount:numeric,gender:categorical, in payload order').transform(
  (raw, ctx): FeatureSpec[] => {
    try {
      return parseFeatureSpec(raw);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        continue: true,
        message: `is not a feature list: ${(err as Error).message}, got "${raw}"`,
      });
      return [];
    }
  },
);

const statePrefix = z
  .preprocess((v) => v ?? 'drift-state/', z.string())
  .refine((v) => !v.startsWith('/') && (v === '' || v.endsWith('/')), {
    error: (i) => `must be a key prefix ending in "/" without a leading "/", got "${String(i.input)}"`,
  });

/**
 * The detector's environment as rendered by driftDetectorEnvironment, keyed by variable name. Blank counts as unset
 * (a CloudFormation parameter left empty), and every variable with a default may be left out.
 */
export const DriftDetectorEnvironmentSchema = z
  .object({
    [DRIFT_DETECTOR_ENV.FEATURES]: featureList,
    [DRIFT_DETECTOR_ENV.SENSITIVE_ATTRIBUTE]: optionalVariable,
    [DRIFT_DETECTOR_ENV.POSITIVE_LABEL]: optionalVariable,
    [DRIFT_DETECTOR_ENV.MIN_SAMPLES]: integerVariable({ default: DRIFT_THRESHOLD_DEFAULTS.minSamples, min: 1 }),
    [DRIFT_DETECTOR_ENV.MIN_GROUP_SIZE]: integerVariable({ default: DRIFT_THRESHOLD_DEFAULTS.minGroupSize, min: 1 }),
    [DRIFT_DETECTOR_ENV.WINDOW_MAX_AGE_HOURS]: integerVariable({
      default: DRIFT_THRESHOLD_DEFAULTS.windowMaxAgeHours,
      min: 1,
    }),
    [DRIFT_DETECTOR_ENV.STATE_BUCKET]: optionalVariable,
    [DRIFT_DETECTOR_ENV.STATE_PREFIX]: statePrefix,
    [DRIFT_DETECTOR_ENV.ENDPOINT_NAME]: optionalVariable,
    [DRIFT_DETECTOR_ENV.VARIANT_NAME]: optionalVariable,
    [DRIFT_DETECTOR_ENV.BASELINE_BUCKET]: requiredVariable('the bucket of the baseline document'),
    [DRIFT_DETECTOR_ENV.BASELINE_KEY]: requiredVariable('the key of the baseline document'),
    // Any case, as logger libraries read it; an unknown level fails the cold start, named, rather than log oddly.
    [DRIFT_DETECTOR_ENV.LOG_LEVEL]: z.preprocess(
      (v) => (typeof v === 'string' && v !== '' ? v.toUpperCase() : undefined),
      z
        .enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], {
          error: (i) => `must be DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(i.input)}`,
        })
        .optional(),
    ),
    [DRIFT_DETECTOR_ENV.QUALITY]: qualityVariable,
    [DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN]: optionalVariable,
    ...driftReportEnvironmentShape,
  })
  .superRefine((e, ctx) => {
    const sensitive = e[DRIFT_DETECTOR_ENV.SENSITIVE_ATTRIBUTE];
    const features = e[DRIFT_DETECTOR_ENV.FEATURES];
    if (sensitive !== undefined && features.length > 0 && !features.some((f) => f.name === sensitive))
      ctx.addIssue({
        code: 'custom',
        path: [DRIFT_DETECTOR_ENV.SENSITIVE_ATTRIBUTE],
        message: `must be one of FEATURES [${features.map((f) => f.name).join(', ')}], got "${sensitive}"`,
      });
    if (e[DRIFT_DETECTOR_ENV.QUALITY] !== undefined && e[DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN],
        message: 'is required when QUALITY is set (the capture key ARN: ledgers are written SSE-KMS with it)',
      });
    if (e[DRIFT_DETECTOR_ENV.QUALITY] !== undefined && e[DRIFT_DETECTOR_ENV.STATE_BUCKET] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [DRIFT_DETECTOR_ENV.STATE_BUCKET],
        message: 'is required when QUALITY is set (the capture bucket: the prediction ledgers are kept there)',
      });
    driftReportSettings(e, ctx);
  })
  .transform((e) => {
    const reports = driftReportSettings(e);
    const optional = <K extends string>(key: K, value: string | undefined) =>
      (value !== undefined ? { [key]: value } : {}) as Partial<Record<K, string>>;
    return {
      features: e[DRIFT_DETECTOR_ENV.FEATURES],
      ...optional('sensitiveAttribute', e[DRIFT_DETECTOR_ENV.SENSITIVE_ATTRIBUTE]),
      positiveLabel: e[DRIFT_DETECTOR_ENV.POSITIVE_LABEL] ?? 1,
      minSamples: e[DRIFT_DETECTOR_ENV.MIN_SAMPLES],
      minGroupSize: e[DRIFT_DETECTOR_ENV.MIN_GROUP_SIZE],
      windowMaxAgeHours: e[DRIFT_DETECTOR_ENV.WINDOW_MAX_AGE_HOURS],
      ...optional('stateBucket', e[DRIFT_DETECTOR_ENV.STATE_BUCKET]),
      statePrefix: e[DRIFT_DETECTOR_ENV.STATE_PREFIX],
      ...optional('endpointName', e[DRIFT_DETECTOR_ENV.ENDPOINT_NAME]),
      ...optional('variantName', e[DRIFT_DETECTOR_ENV.VARIANT_NAME]),
      baselineBucket: e[DRIFT_DETECTOR_ENV.BASELINE_BUCKET],
      baselineKey: e[DRIFT_DETECTOR_ENV.BASELINE_KEY],
      ...(e[DRIFT_DETECTOR_ENV.LOG_LEVEL] !== undefined ? { logLevel: e[DRIFT_DETECTOR_ENV.LOG_LEVEL] } : {}),
      ...(reports !== undefined ? { reports } : {}),
      ...(e[DRIFT_DETECTOR_ENV.QUALITY] !== undefined ? { quality: e[DRIFT_DETECTOR_ENV.QUALITY] } : {}),
      ...optional('ledgerKmsKeyArn', e[DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN]),
    };
  });

/**
 * What the detector reads back: DriftDetectorEnvironment with the variables the detector can do without optional
 * (no state bucket: every file is judged alone; endpoint and variant come from the capture key) and the report
 * settings when REPORTS_BUCKET is set.
 */
export interface ParsedDriftDetectorEnvironment extends Omit<
  DriftDetectorEnvironment,
  'stateBucket' | 'endpointName' | 'variantName'
> {
  readonly stateBucket?: string;
  readonly endpointName?: string;
  readonly variantName?: string;
  readonly reports?: DriftReportSettings;
}

/**
 * Parses the detector's environment (the inverse of driftDetectorEnvironment + driftReportEnvironment). Throws an
 * EnvironmentError listing every problem at once, each naming the variable, the value received and what is allowed.
 */
export function parseDriftDetectorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ParsedDriftDetectorEnvironment {
  const parsed = DriftDetectorEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new EnvironmentError('drift detector', environmentProblems(parsed.error));
  return parsed.data;
}
