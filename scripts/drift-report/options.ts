/**
 * The command line of `npm run drift:report`: its options (with the help text), and how the threshold and count
 * flags become numbers over the model's config and the defaults.
 */
import { CommandSpec, OptionSpec, UsageError, Values, defaultOutput } from '../../lib/cli/args';
import { MonitoringConfig, ThresholdsSchema } from '../../lib/config/schema';
import { DriftThresholds, pickThresholds } from '../../core/contracts/drift-report';
import { QUALITY_DEFAULTS } from '../../core/contracts/quality';

const DEFAULTS = ThresholdsSchema.parse({});
const threshold = (what: string, key: keyof DriftThresholds) => ({
  type: 'string' as const,
  valueName: '<n>',
  description: `${what} (default: --model's, else ${DEFAULTS[key]})`,
});

export const DRIFT_REPORT_COMMAND = {
  command: 'npm run drift:report --',
  summary:
    "Drift report of captured traffic against a baseline, offline, with the detector's own parser and accumulator:\none self-contained HTML page (or JSON) with the numbers the detector publishes.",
  options: {
    baseline: { type: 'string', valueName: '<baseline.json>', description: "the model's baseline (required)" },
    capture: {
      type: 'string',
      multiple: true,
      valueName: '<file|folder>',
      description: 'capture file (.jsonl, .jsonl.gz) or folder of them (required)',
    },
    out: {
      type: 'string',
      valueName: '<file>',
      description: `report file (default ${defaultOutput('drift-report.html')}, .json with --json)`,
    },
    json: { type: 'boolean', description: 'write the report as JSON instead of HTML' },
    config: {
      type: 'string',
      valueName: '<config.json|cdk.json>',
      description: "use --model's monitoring: thresholds, features, fairness",
    },
    model: { type: 'string', valueName: '<name>', description: 'the model of --config' },
    psi: threshold('feature PSI threshold', 'psi'),
    ks: threshold('Kolmogorov-Smirnov threshold', 'ks'),
    'js-distance': threshold('Jensen-Shannon distance threshold', 'jsDistance'),
    'prediction-psi': threshold('prediction PSI threshold', 'predictionPsi'),
    'disparate-impact-min': threshold('lowest fair disparate impact ratio', 'disparateImpactMin'),
    'parity-difference-max': threshold('highest fair demographic parity difference', 'parityDifferenceMax'),
    'min-samples': threshold('records needed to judge drift', 'minSamples'),
    'min-group-size': {
      type: 'string',
      valueName: '<n>',
      description: 'smaller fairness groups are left out (default 100)',
    },
    'ground-truth': {
      type: 'string',
      multiple: true,
      valueName: '<file|folder>',
      description:
        "labels in SageMaker's ground-truth format (.jsonl, .jsonl.gz) or a folder of them: adds model quality",
    },
    'min-labelled': {
      type: 'string',
      valueName: '<n>',
      description: `labelled records needed to compute quality (default --model's, else ${QUALITY_DEFAULTS.minLabelled})`,
    },
    quiet: { type: 'boolean', description: 'no progress lines on stderr' },
  },
  epilogue:
    'exit codes: 0 report written; 1 no record could be read against the baseline, or the capture files hold no\nrecord (report still written); 2 wrong arguments, a missing or mismatched baseline, an invalid --config,\nunreadable capture input or a ground-truth file none of whose lines is a ground-truth record.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

export type DriftReportValues = Values<typeof DRIFT_REPORT_COMMAND.options>;

/** Threshold flags, by the DriftThresholds key they set. */
const THRESHOLD_FLAGS = {
  psi: 'psi',
  ks: 'ks',
  'js-distance': 'jsDistance',
  'prediction-psi': 'predictionPsi',
  'disparate-impact-min': 'disparateImpactMin',
  'parity-difference-max': 'parityDifferenceMax',
  'min-samples': 'minSamples',
} as const satisfies { readonly [F in keyof DriftReportValues]?: keyof DriftThresholds };

/** A number flag >= 0 (an integer where asked), or a UsageError naming the flag. */
export function numberFlag(flag: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'} >= 0, got "${raw}"`);
  return n;
}

/** The drift thresholds: each flag given, else the model's (--config/--model), else the config defaults. */
export function thresholdsOf(values: DriftReportValues, monitoring: MonitoringConfig | undefined): DriftThresholds {
  const flagged: Partial<Record<keyof DriftThresholds, number>> = {};
  for (const [flag, key] of Object.entries(THRESHOLD_FLAGS) as [
    keyof typeof THRESHOLD_FLAGS,
    keyof DriftThresholds,
  ][]) {
    const raw = values[flag];
    if (raw !== undefined) flagged[key] = numberFlag(flag, raw, key === 'minSamples');
  }
  return {
    ...pickThresholds(monitoring?.thresholds ?? ThresholdsSchema.parse({})),
    ...flagged,
  };
}
