/**
 * The drift report: one window of captured traffic against the baseline, as people read it — which feature moved,
 * how (baseline vs live distribution), and for whom (positive-prediction rate per group). Pure: the numbers are
 * the accumulator's own (DriftResult), never recomputed, so the report says exactly what the metrics say.
 */
import { QualityReport } from '../quality/join';
import { version as TOOL_VERSION } from '../../../package.json';
import { DriftThresholds } from '../../../core/contracts/drift-report';
import { CountsSnapshot, DriftResult, WindowCounts } from '../counting/drift-result';
import { ReportWindow, SkipReason } from './window';
import { BaselineDocument, Distribution, MISSING, OTHER } from '../../../core/contracts/baseline';
import { binLabel } from '../../../core/contracts/baseline-values';

export const REPORT_KIND = 'mlops.drift-report';
/** Bump on any incompatible change of the JSON form. */
export const REPORT_SCHEMA_VERSION = 1;
export const TOOL_NAME = 'mlops-secure-delivery drift report';

/** One bar pair: a bin or category, its share in the baseline and in the window. */
export interface Bar {
  readonly label: string;
  /** Share of the baseline (0..1). */
  readonly baseline: number;
  /** Share of the window (0..1). */
  readonly live: number;
  /** Window records in this slot. */
  readonly liveCount: number;
}

export type MetricName =
  | 'FeaturePSI'
  | 'FeatureKS'
  | 'FeatureJSDistance'
  | 'PredictionPSI'
  | 'DisparateImpactRatio'
  | 'DemographicParityDifference';

export interface Verdict {
  /** The CloudWatch metric this verdict is about (same name, same value). */
  readonly metric: MetricName;
  /** Feature name, `prediction`, or the sensitive attribute. */
  readonly subject: string;
  readonly value?: number;
  readonly threshold: number;
  /** Drift when the value is above (or, for disparate impact, below) the threshold. */
  readonly direction: 'above' | 'below';
  readonly status: 'drift' | 'ok' | 'not-judged';
  /** Why a verdict is not-judged. */
  readonly reason?: string;
}

export interface FeatureSection {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  /** Window records with a value. */
  readonly count: number;
  readonly psi?: number;
  readonly ks?: number;
  readonly jsDistance?: number;
  /** Numeric: KS is exact when the baseline grid holds every training value; else it may read low by at most this. */
  readonly ksMaxError?: number;
  readonly bars: readonly Bar[];
  readonly missing: { readonly baselineShare: number; readonly liveShare: number; readonly liveCount: number };
  readonly verdicts: readonly Verdict[];
  /** How the chart relates to the statistics, when not one bar per statistic slot. */
  readonly note?: string;
}

export interface GroupRate {
  readonly group: string;
  readonly count: number;
  readonly positives: number;
  readonly rate: number;
  /** The group's positive rate in the training data, when the baseline has it. */
  readonly baselineRate?: number;
}

export interface ExcludedGroup {
  readonly group: string;
  readonly count: number;
  readonly reason: string;
}

export interface FairnessSection {
  readonly attribute: string;
  readonly positiveLabel: string;
  readonly minGroupSize: number;
  /** Groups the statistics use. */
  readonly groups: readonly GroupRate[];
  /** Groups seen but left out, and why. */
  readonly excluded: readonly ExcludedGroup[];
  /** disparateImpactMin x the highest group rate: a group below this line fails the four-fifths rule. */
  readonly fourFifthsLine?: number;
  readonly disparateImpactRatio?: number;
  readonly demographicParityDifference?: number;
  readonly verdicts: readonly Verdict[];
}

export interface PredictionSection {
  readonly column: string;
  readonly type: 'numeric' | 'categorical';
  readonly count: number;
  readonly psi?: number;
  readonly jsDistance?: number;
  readonly bars: readonly Bar[];
  readonly verdict: Verdict;
}

export interface Provenance {
  readonly baseline: {
    readonly file: string;
    readonly sha256: string;
    readonly createdAt: string;
    /** The training data the baseline was built from, as the baseline records it. */
    readonly trainingData: { readonly file: string; readonly sha256: string; readonly records: number };
  };
  readonly captures: readonly string[];
  /** First and last eventMetadata.inferenceTime of the window's invocations. */
  readonly timeRange?: { readonly from: string; readonly to: string };
  readonly endpointName?: string;
  readonly variantName?: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: string;
}

export interface DriftReport {
  readonly kind: typeof REPORT_KIND;
  readonly schemaVersion: number;
  readonly summary: {
    /** Records judged (the SampleCount metric). */
    readonly sampleCount: number;
    /** Records skipped (the MalformedRecords metric), with reasons that add up to it. */
    readonly malformedRecords: number;
    /** The same records by kind (the MalformedRecords metric with its Reason dimension). */
    readonly malformedByReason: Readonly<Record<string, number>>;
    readonly skipped: readonly SkipReason[];
    /** Records judged whose prediction was null or empty (the MissingPredictions metric): never a class. */
    readonly missingPredictions: number;
    /** Groups of the sensitive attribute smaller than minGroupSize, left out of fairness (FairnessGroupsExcluded). */
    readonly fairnessGroupsExcluded: number;
    /** Below minSamples the detector publishes no drift metric: nothing is judged. */
    readonly judged: boolean;
    /** Some metric crossed its threshold. */
    readonly drifted: boolean;
    /** Every verdict: features, prediction, fairness. */
    readonly verdicts: readonly Verdict[];
    /** Features by PSI, highest first (features without a value last). */
    readonly ranking: readonly { readonly name: string; readonly psi?: number }[];
  };
  readonly thresholds: DriftThresholds;
  readonly features: readonly FeatureSection[];
  readonly prediction?: PredictionSection;
  readonly fairness?: FairnessSection;
  /** Model quality and outcome fairness from ground truth joined to the captured predictions (when labels were given). */
  readonly quality?: QualityReport;
  readonly provenance: Provenance;
}

export interface ReportInput {
  readonly baseline: BaselineDocument;
  /** Where the baseline document was read from, and the SHA-256 of its bytes. */
  readonly baselineFile: { readonly file: string; readonly sha256: string };
  readonly result: DriftResult;
  readonly counts: WindowCounts;
  readonly window: ReportWindow;
  readonly thresholds: DriftThresholds;
  /** Capture files of the window (paths or s3:// URIs). */
  readonly captures: readonly string[];
  readonly generatedAt: Date;
  readonly endpointName?: string;
  readonly variantName?: string;
}

const share = (n: number, total: number) => (total > 0 ? n / total : 0);

function verdict(
  metric: MetricName,
  subject: string,
  value: number | undefined,
  threshold: number,
  direction: 'above' | 'below',
  notJudged: string | undefined,
): Verdict {
  const base = { metric, subject, ...(value !== undefined ? { value } : {}), threshold, direction };
  if (notJudged !== undefined) return { ...base, status: 'not-judged', reason: notJudged };
  if (value === undefined)
    return { ...base, status: 'not-judged', reason: 'no value in this window (no records for it)' };
  const crossed = direction === 'above' ? value > threshold : value < threshold;
  return { ...base, status: crossed ? 'drift' : 'ok' };
}

/** Bars of one distribution: baseline proportions against the window's counts, slot for slot. */
function bars(dist: Distribution, snap: CountsSnapshot): { bars: Bar[]; note?: string } {
  const total = snap.counts.reduce((a, b) => a + b, 0);
  if (dist.type === 'numeric') {
    return {
      bars: dist.binProportions.map((p, i) => ({
        label: binLabel(dist.binEdges as number[], i),
        baseline: p,
        live: share(snap.counts[i] ?? 0, total),
        liveCount: snap.counts[i] ?? 0,
      })),
    };
  }
  const out: Bar[] = dist.categories.map((c, i) => ({
    label: c,
    baseline: dist.proportions[i] ?? 0,
    live: share(snap.counts[i] ?? 0, total),
    liveCount: snap.counts[i] ?? 0,
  }));
  if (dist.categories.includes(MISSING)) return { bars: out };
  // Missing values share the __other__ slot in the statistics (the baseline did not keep __missing__ as a
  // category); the chart splits them out on both sides so they are seen, and says so.
  const other = out.length - 1;
  const o = out[other] as Bar;
  const baseMissing = share(dist.missing, dist.count);
  const liveMissing = snap.missing;
  out[other] = {
    label: OTHER,
    baseline: Math.max(0, o.baseline - baseMissing),
    live: share(o.liveCount - liveMissing, total),
    liveCount: o.liveCount - liveMissing,
  };
  out.push({ label: MISSING, baseline: baseMissing, live: share(liveMissing, total), liveCount: liveMissing });
  return {
    bars: out,
    note: `${MISSING} is shown apart but counted with ${OTHER} in PSI and Jensen-Shannon (the baseline did not keep it as a category).`,
  };
}

function fairnessSection(input: ReportInput, notJudged: string | undefined): FairnessSection | undefined {
  const { baseline, counts, result, thresholds } = input;
  const f = counts.fairness;
  if (!f) return undefined;
  const feature = baseline.features.find((x) => x.name === f.attribute);
  if (!feature) return undefined;
  const dist = feature.distribution;
  const label = (i: number) =>
    dist.type === 'numeric' ? binLabel(dist.binEdges as number[], i) : (dist.categories[i] as string);
  const baselineRates = new Map((baseline.fairness?.groups ?? []).map((g) => [g.group, g.positiveRate] as const));
  const used = new Set(result.groups.map((g) => g.group));
  const groups: GroupRate[] = [];
  const excluded: ExcludedGroup[] = [];
  for (let i = 0; i < f.counts.length; i++) {
    const group = label(i);
    const count = f.counts[i] as number;
    const positives = f.positives[i] as number;
    if (group === MISSING) continue; // counted below, from the feature's own missing count
    if (group === OTHER) {
      if (count > 0)
        excluded.push({ group, count, reason: 'a mixture of categories the baseline did not keep, not one group' });
    } else if (count === 0) {
      if (baselineRates.has(group))
        excluded.push({ group, count, reason: 'no records with a prediction in this window' });
    } else if (used.has(group) && count < counts.minGroupSize) {
      excluded.push({
        group,
        count,
        reason: `fewer than minGroupSize (${counts.minGroupSize}) records: too noisy to judge`,
      });
    } else if (used.has(group)) {
      const baselineRate = baselineRates.get(group);
      groups.push({
        group,
        count,
        positives,
        rate: positives / count,
        ...(baselineRate !== undefined ? { baselineRate } : {}),
      });
    }
  }
  const missing = counts.features.find((x) => x.name === f.attribute)?.missing ?? 0;
  if (missing > 0) excluded.push({ group: MISSING, count: missing, reason: 'no value for the attribute' });
  const maxRate = groups.length > 0 ? Math.max(...groups.map((g) => g.rate)) : undefined;
  const di = result.disparateImpactRatio;
  const dpd = result.demographicParityDifference;
  const tooFew = groups.length < 2 ? `fewer than two groups of at least ${counts.minGroupSize} records` : undefined;
  return {
    attribute: f.attribute,
    positiveLabel: baseline.fairness?.positiveLabel ?? '1',
    minGroupSize: counts.minGroupSize,
    groups,
    excluded,
    ...(maxRate !== undefined && groups.length >= 2 ? { fourFifthsLine: thresholds.disparateImpactMin * maxRate } : {}),
    ...(di !== undefined ? { disparateImpactRatio: di } : {}),
    ...(dpd !== undefined ? { demographicParityDifference: dpd } : {}),
    verdicts: [
      verdict(
        'DisparateImpactRatio',
        f.attribute,
        di,
        thresholds.disparateImpactMin,
        'below',
        notJudged ?? (di === undefined ? tooFew : undefined),
      ),
      verdict(
        'DemographicParityDifference',
        f.attribute,
        dpd,
        thresholds.parityDifferenceMax,
        'above',
        notJudged ?? (dpd === undefined ? tooFew : undefined),
      ),
    ],
  };
}

/** Builds the report of one window; `summary.drifted` is what decides whether the detector writes it. */
export function buildDriftReport(input: ReportInput): DriftReport {
  const { baseline, result, counts, thresholds } = input;
  const judged = result.sampleCount >= thresholds.minSamples;
  const notJudged = judged
    ? undefined
    : `${result.sampleCount} record(s) judged, fewer than minSamples (${thresholds.minSamples}): no drift metric is published`;
  const byName = new Map(baseline.features.map((f) => [f.name, f.distribution] as const));
  const features: FeatureSection[] = result.features.map((fr, i) => {
    const dist = byName.get(fr.name) as Distribution;
    const snap = counts.features[i] as CountsSnapshot;
    const { bars: b, note } = bars(dist, snap);
    const missingBase =
      dist.type === 'numeric' ? share(dist.missing, dist.count + dist.missing) : share(dist.missing, dist.count);
    const liveTotal = dist.type === 'numeric' ? fr.count + snap.missing : fr.count;
    const verdicts = [
      verdict('FeaturePSI', fr.name, fr.psi, thresholds.psi, 'above', notJudged),
      ...(fr.type === 'numeric' ? [verdict('FeatureKS', fr.name, fr.ks, thresholds.ks, 'above', notJudged)] : []),
      verdict('FeatureJSDistance', fr.name, fr.jsDistance, thresholds.jsDistance, 'above', notJudged),
    ];
    return {
      name: fr.name,
      type: fr.type,
      count: fr.count,
      ...(fr.psi !== undefined ? { psi: fr.psi } : {}),
      ...(fr.ks !== undefined ? { ks: fr.ks } : {}),
      ...(fr.jsDistance !== undefined ? { jsDistance: fr.jsDistance } : {}),
      ...(dist.type === 'numeric' ? { ksMaxError: dist.ks.maxCellMass } : {}),
      bars: b,
      missing: { baselineShare: missingBase, liveShare: share(snap.missing, liveTotal), liveCount: snap.missing },
      verdicts,
      ...(note !== undefined ? { note } : {}),
    };
  });
  let prediction: PredictionSection | undefined;
  if (baseline.prediction && counts.prediction) {
    const count = counts.prediction.counts.reduce((a, c) => a + c, 0);
    prediction = {
      column: baseline.prediction.column,
      type: baseline.prediction.distribution.type,
      count,
      ...(result.predictionPsi !== undefined ? { psi: result.predictionPsi } : {}),
      ...(result.predictionJsDistance !== undefined ? { jsDistance: result.predictionJsDistance } : {}),
      bars: bars(baseline.prediction.distribution, counts.prediction).bars,
      verdict: verdict(
        'PredictionPSI',
        'prediction',
        result.predictionPsi,
        thresholds.predictionPsi,
        'above',
        notJudged,
      ),
    };
  }
  const fairness = fairnessSection(input, notJudged);
  const verdicts = [
    ...features.flatMap((f) => f.verdicts),
    ...(prediction ? [prediction.verdict] : []),
    ...(fairness?.verdicts ?? []),
  ];
  const ranking = features
    .map((f) => ({ name: f.name, ...(f.psi !== undefined ? { psi: f.psi } : {}) }))
    .sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
  return {
    kind: REPORT_KIND,
    schemaVersion: REPORT_SCHEMA_VERSION,
    summary: {
      sampleCount: result.sampleCount,
      malformedRecords: result.malformedRecords,
      malformedByReason: { ...result.malformedByReason },
      skipped: input.window.skipReasons(),
      missingPredictions: result.missingPredictions,
      fairnessGroupsExcluded: result.fairnessGroupsExcluded,
      judged,
      drifted: verdicts.some((v) => v.status === 'drift'),
      verdicts,
      ranking,
    },
    thresholds,
    features,
    ...(prediction ? { prediction } : {}),
    ...(fairness ? { fairness } : {}),
    provenance: {
      baseline: {
        file: input.baselineFile.file,
        sha256: input.baselineFile.sha256,
        createdAt: baseline.createdAt,
        trainingData: { file: baseline.source.file, sha256: baseline.source.sha256, records: baseline.recordCount },
      },
      captures: [...input.captures],
      ...(input.window.timeRange() ? { timeRange: input.window.timeRange() } : {}),
      ...(input.endpointName !== undefined ? { endpointName: input.endpointName } : {}),
      ...(input.variantName !== undefined ? { variantName: input.variantName } : {}),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      generatedAt: input.generatedAt.toISOString(),
    },
  };
}
