/**
 * The drift report contract between the DriftMonitor construct (synth time) and the drift detector (run time):
 * environment keys, the thresholds document and where reports land. Pure: no aws-cdk-lib, no SDK.
 */
import * as z from 'zod';
import { optionalVariable } from './environment';

/** Environment variables the construct sets and the detector reads. */
export const DRIFT_REPORT_ENV = {
  /** Bucket run-time drift reports are written to; unset = no reports. */
  BUCKET: 'REPORTS_BUCKET',
  /** Key prefix of this endpoint's reports (see driftReportPrefix). */
  PREFIX: 'REPORTS_PREFIX',
  /** KMS key the reports are encrypted with (SSE-KMS). */
  KMS_KEY_ARN: 'REPORTS_KMS_KEY_ARN',
  /** "true": write a report for every judged window, not only for windows that cross a threshold. */
  ALL_WINDOWS: 'REPORT_ALL_WINDOWS',
  /** JSON of DriftThresholds: the verdicts a report shows, and which windows get a report. */
  THRESHOLDS: 'DRIFT_THRESHOLDS',
} as const;

/**
 * The drift, fairness and window defaults: the config schema's defaults, the DriftMonitor's when its props leave a
 * threshold out, and the detector's when a variable is unset. One definition for all three.
 */
export const DRIFT_THRESHOLD_DEFAULTS = {
  psi: 0.2,
  ks: 0.2,
  jsDistance: 0.1,
  predictionPsi: 0.2,
  disparateImpactMin: 0.8,
  parityDifferenceMax: 0.1,
  minSamples: 200,
  minGroupSize: 100,
  windowMaxAgeHours: 24,
} as const;

/** The drift and fairness thresholds a report judges against (the config's monitoring.thresholds subset). */
export interface DriftThresholds {
  /** Feature PSI above which a feature has drifted. */
  readonly psi: number;
  /** Kolmogorov-Smirnov statistic above which a numeric feature has drifted. */
  readonly ks: number;
  /** Jensen-Shannon distance above which a feature has drifted. */
  readonly jsDistance: number;
  /** Prediction PSI above which the predictions have drifted. */
  readonly predictionPsi: number;
  /** Disparate impact ratio below which fairness fails (four-fifths rule: 0.8). */
  readonly disparateImpactMin: number;
  /** Demographic parity difference above which fairness fails. */
  readonly parityDifferenceMax: number;
  /** Records a window needs before it is judged at all. */
  readonly minSamples: number;
}

export const THRESHOLD_KEYS: readonly (keyof DriftThresholds)[] = [
  'psi',
  'ks',
  'jsDistance',
  'predictionPsi',
  'disparateImpactMin',
  'parityDifferenceMax',
  'minSamples',
];

const threshold = z
  .number({ error: (i) => `must be a number >= 0, got ${JSON.stringify(i.input)}` })
  .min(0, { error: (i) => `must be a number >= 0, got ${JSON.stringify(i.input)}` });

/**
 * The thresholds document (DRIFT_THRESHOLDS). Other keys are dropped, not refused: the config's thresholds carry
 * latency and error ones too.
 */
export const DriftThresholdsSchema = z.object(
  Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, threshold])) as Record<keyof DriftThresholds, typeof threshold>,
  { error: (i) => `must be a JSON object of thresholds, got ${JSON.stringify(i.input)}` },
);

/** Picks the report thresholds out of a wider object (the config's thresholds carry latency and error ones too). */
export function pickThresholds(t: DriftThresholds): DriftThresholds {
  return Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, t[k]])) as unknown as DriftThresholds;
}

/** The problems of a thresholds JSON text, each naming `<where>.<key>`, the value and the rule; else the thresholds. */
function thresholdsFrom(raw: string, where: string): { thresholds: DriftThresholds } | { problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    return { problems: [`${where} is not valid JSON (${(err as Error).message}): expected {"psi":0.2,...}`] };
  }
  const parsed = DriftThresholdsSchema.safeParse(doc);
  if (parsed.success) return { thresholds: parsed.data };
  return { problems: parsed.error.issues.map((i) => [where, ...i.path.map(String)].join('.') + ` ${i.message}`) };
}

/** Parses DRIFT_THRESHOLDS; the message names every bad key, the value received and the rule. */
export function parseThresholds(raw: string, where: string): DriftThresholds {
  const out = thresholdsFrom(raw, where);
  if ('problems' in out) throw new RangeError(out.problems.join('; '));
  return out.thresholds;
}

/** Where and how the detector writes reports, read from DRIFT_REPORT_ENV. */
export interface DriftReportSettings {
  readonly bucket: string;
  /** Ends with `/`: `drift-reports/<endpoint>/`. */
  readonly prefix: string;
  readonly kmsKeyArn: string;
  /** Write a report for every judged window, not only for windows that cross a threshold. */
  readonly allWindows: boolean;
  readonly thresholds: DriftThresholds;
}

/** The report variables, as fields of the detector's environment schema (core/contracts/drift-detector.ts). */
export const driftReportEnvironmentShape = {
  [DRIFT_REPORT_ENV.BUCKET]: optionalVariable,
  [DRIFT_REPORT_ENV.PREFIX]: optionalVariable,
  [DRIFT_REPORT_ENV.KMS_KEY_ARN]: optionalVariable,
  [DRIFT_REPORT_ENV.ALL_WINDOWS]: z.preprocess(
    (v) => v ?? 'false',
    z.enum(['true', 'false'], { error: (i) => `must be true or false, got "${String(i.input)}"` }),
  ),
  [DRIFT_REPORT_ENV.THRESHOLDS]: optionalVariable,
};

type ReportVariables = z.output<z.ZodObject<typeof driftReportEnvironmentShape>>;

/**
 * The report settings of parsed report variables: undefined when REPORTS_BUCKET is unset (reports off). Each missing
 * or bad variable is an issue on `ctx`, named by its variable: call it in the schema's check (zod runs a transform
 * only on an input without issues) and again in its transform, without `ctx`, for the value.
 */
export function driftReportSettings(e: ReportVariables, ctx?: z.RefinementCtx): DriftReportSettings | undefined {
  const bucket = e[DRIFT_REPORT_ENV.BUCKET];
  if (bucket === undefined) return undefined;
  const problem = (name: string, message: string) =>
    ctx?.addIssue({ code: 'custom', path: name === '' ? [] : [name], message });
  const need = (name: string, hint: string): string => {
    const v = e[name as keyof ReportVariables];
    if (typeof v === 'string') return v;
    problem(name, `is required when ${DRIFT_REPORT_ENV.BUCKET} is set (${hint})`);
    return '';
  };
  const prefix = need(DRIFT_REPORT_ENV.PREFIX, 'e.g. drift-reports/<endpoint>/');
  if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/')))
    problem(DRIFT_REPORT_ENV.PREFIX, `must end with "/" and not start with one, got "${prefix}"`);
  const kmsKeyArn = need(DRIFT_REPORT_ENV.KMS_KEY_ARN, 'the key reports are encrypted with');
  const raw = need(DRIFT_REPORT_ENV.THRESHOLDS, 'JSON of the drift thresholds');
  const thresholds = raw === '' ? undefined : thresholdsFrom(raw, DRIFT_REPORT_ENV.THRESHOLDS);
  // The thresholds' own messages start with the variable name already: reported at the root, not prefixed twice.
  if (thresholds && 'problems' in thresholds) for (const p of thresholds.problems) problem('', p);
  if (thresholds === undefined || 'problems' in thresholds) return undefined;
  return {
    bucket,
    prefix,
    kmsKeyArn,
    allWindows: e[DRIFT_REPORT_ENV.ALL_WINDOWS] === 'true',
    thresholds: thresholds.thresholds,
  };
}

/** Key prefix of one endpoint's drift reports in the reports bucket. */
export function driftReportPrefix(endpointName: string): string {
  return `drift-reports/${endpointName}/`;
}

/** The newest report of a variant (overwritten by each report; dated copies stay under `<prefix><variant>/YYYY/`). */
export function latestReportKey(prefix: string, variantName: string, extension: 'html' | 'json' = 'html'): string {
  return `${prefix}${variantName}/latest.${extension}`;
}
