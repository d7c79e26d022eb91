/**
 * The drift report contract between the DriftMonitor construct (synth time) and the drift detector (run time):
 * environment keys, the thresholds document and where reports land. Pure: no aws-cdk-lib, no SDK.
 */

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

/** Picks the report thresholds out of a wider object (the config's thresholds carry latency and error ones too). */
export function pickThresholds(t: DriftThresholds): DriftThresholds {
  return Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, t[k]])) as unknown as DriftThresholds;
}

/** Parses DRIFT_THRESHOLDS; the message names the key, the value received and the fix. */
export function parseThresholds(raw: string, where: string): DriftThresholds {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    throw new RangeError(`${where} is not valid JSON (${(err as Error).message}): expected {"psi":0.2,...}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new RangeError(`${where} must be a JSON object of thresholds, got ${JSON.stringify(doc)}`);
  const o = doc as Record<string, unknown>;
  for (const k of THRESHOLD_KEYS) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new RangeError(`${where}.${k} must be a number >= 0, got ${JSON.stringify(v)}`);
  }
  return pickThresholds(o as unknown as DriftThresholds);
}

/** Key prefix of one endpoint's drift reports in the reports bucket. */
export function driftReportPrefix(endpointName: string): string {
  return `drift-reports/${endpointName}/`;
}

/** The newest report of a variant (overwritten by each report; dated copies stay under `<prefix><variant>/YYYY/`). */
export function latestReportKey(prefix: string, variantName: string, extension: 'html' | 'json' = 'html'): string {
  return `${prefix}${variantName}/latest.${extension}`;
}
