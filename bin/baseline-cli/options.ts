/**
 * The baseline command's options: its spec, the monitoring block it takes from --config/--model, and the quality
 * reference options (--label-column and its companions), each checked with a message that names the option.
 */
import { CommandSpec, OptionSpec, UsageError, parseCommandLine } from '../../lib/cli/args';
import { loadConfigArgument } from '../../lib/config/loader';
import { MonitoringConfig } from '../../lib/config/schema';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import { PROBLEM_TYPES, ProblemType } from '../../core/contracts/quality';
import { QualityReferenceBuilder } from '../../lib/baseline/quality-reference';

/**
 * Fewest usable records a baseline is built from by default: with 10 quantile bins, 100 records put about 10 in each,
 * so one record moves a bin's share by 1% rather than by the whole of it.
 */
export const MIN_BASELINE_RECORDS = 100;

export const BASELINE_COMMAND = {
  command: 'npm run baseline --',
  summary:
    'Builds a drift baseline (bins, KS grid, category and prediction shares, fairness groups) from training data:\nCSV with a header row, or JSON Lines.',
  options: {
    input: { type: 'string', valueName: '<train.csv|train.jsonl>', description: 'training data (required)' },
    output: { type: 'string', valueName: '<baseline.json>', description: 'where to write the baseline (required)' },
    features: {
      type: 'string',
      valueName: '<name:numeric,name:categorical,...>',
      description: 'features in payload order (or --config and --model)',
    },
    config: {
      type: 'string',
      valueName: '<config.json|cdk.json>',
      description: "take the model's monitoring features",
    },
    model: { type: 'string', valueName: '<name>', description: 'the model of --config' },
    'prediction-column': { type: 'string', valueName: '<column>', description: "column of the model's prediction" },
    'sensitive-attribute': {
      type: 'string',
      valueName: '<feature>',
      description: 'feature fairness is measured across',
    },
    'positive-label': {
      type: 'string',
      valueName: '<value>',
      description: 'prediction counted as positive (default 1)',
    },
    format: { type: 'string', valueName: 'csv|jsonl', description: 'input format (default: from the extension)' },
    delimiter: {
      type: 'string',
      valueName: '<char>',
      description: 'CSV field delimiter, one character or "tab" (default ",")',
    },
    'max-skipped-percent': {
      type: 'string',
      valueName: '<0-100>',
      description: 'fail (exit 1, nothing written) when more records than this are skipped (default 1)',
    },
    'min-records': {
      type: 'string',
      valueName: '<n>',
      description: `fail (exit 1, nothing written) with fewer usable records (default ${MIN_BASELINE_RECORDS})`,
    },
    'psi-bins': { type: 'string', valueName: '<n>', description: 'quantile bins for PSI / JS (default 10)' },
    'ks-points': { type: 'string', valueName: '<n>', description: 'most KS grid points (default 200)' },
    'max-categories': { type: 'string', valueName: '<n>', description: 'most categories kept (default 50)' },
    'source-name': { type: 'string', valueName: '<text>', description: 'source.file recorded in the baseline' },
    'label-column': {
      type: 'string',
      valueName: '<column>',
      description:
        'ground-truth label of a labelled validation set: also write model-quality reference values\n(monitoring.quality.reference) from --prediction-column against it',
    },
    'score-column': {
      type: 'string',
      valueName: '<column>',
      description: 'positive-class score, for the ROC AUC reference (binary models)',
    },
    'problem-type': {
      type: 'string',
      valueName: 'binary-classification|regression',
      description: 'with --label-column (default binary-classification)',
    },
    'negative-label': {
      type: 'string',
      valueName: '<value>',
      description: 'with --label-column: the negative class (default 0)',
    },
    'quality-output': {
      type: 'string',
      valueName: '<reference.json>',
      description: 'where the quality reference goes (default: --output with .quality-reference.json)',
    },
    quiet: { type: 'boolean', description: 'no progress or summary on stderr' },
  },
  epilogue:
    'exit codes: 0 written; 1 the data failed (too many skipped records, fewer than --min-records usable ones);\n2 the command line is wrong.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

export type BaselineValues = Extract<
  ReturnType<typeof parseCommandLine<typeof BASELINE_COMMAND.options>>,
  { help: false }
>['values'];

export interface Monitoring {
  readonly features: FeatureSpec[];
  readonly sensitiveAttribute?: string;
  readonly positiveLabel?: string | number;
}

/** One model's validated monitoring block from a config file or a cdk.json (also used by `npm run drift:report`). */
export function readModelMonitoring(file: string, model: string | undefined): MonitoringConfig {
  if (model === undefined)
    throw new UsageError("--config needs --model <name>: which model's monitoring.features to use");
  // A config file or a cdk.json, read as every command reads --config; the baseline files are not checked here:
  // this command writes them.
  const cfg = loadConfigArgument(file, { readBaselines: false });
  const m = cfg.models.find((x) => x.name === model);
  if (!m)
    throw new UsageError(
      `--model "${model}" is not in ${file}; models there: ${cfg.models.map((x) => x.name).join(', ')}`,
    );
  return m.monitoring;
}

export function monitoringFromConfig(file: string, model: string | undefined): Monitoring {
  const m = { monitoring: readModelMonitoring(file, model) };
  return {
    features: m.monitoring.features.map((f) => ({ name: f.name, type: f.type })),
    ...(m.monitoring.sensitiveAttribute !== undefined ? { sensitiveAttribute: m.monitoring.sensitiveAttribute } : {}),
    positiveLabel: m.monitoring.positiveLabel,
  };
}

/** The quality reference builder of --label-column, or undefined without it; the options checked. */
export function qualityReferenceOf(
  args: BaselineValues,
  predictionColumn: string | undefined,
  positiveLabel: string | number | undefined,
): QualityReferenceBuilder | undefined {
  const labelColumn = args['label-column'];
  const others = (['score-column', 'problem-type', 'negative-label', 'quality-output'] as const).filter(
    (o) => args[o] !== undefined,
  );
  if (labelColumn === undefined) {
    if (others.length > 0) throw new UsageError(`--${others[0]} needs --label-column: the validation set's label`);
    return undefined;
  }
  if (predictionColumn === undefined)
    throw new UsageError(
      `--label-column ${labelColumn} needs --prediction-column: quality compares the model's predictions with the labels`,
    );
  const problemType = (args['problem-type'] ?? 'binary-classification') as ProblemType;
  if (!PROBLEM_TYPES.includes(problemType))
    throw new UsageError(`--problem-type must be ${PROBLEM_TYPES.join(' or ')}, got "${args['problem-type']}"`);
  if (problemType === 'regression' && args['score-column'] !== undefined)
    throw new UsageError('--score-column is for binary-classification (ROC AUC); a regression model has no score');
  try {
    return new QualityReferenceBuilder({
      problemType,
      labelColumn,
      predictionColumn,
      positiveLabel: positiveLabel ?? 1,
      ...(args['score-column'] !== undefined ? { scoreColumn: args['score-column'] } : {}),
      ...(args['negative-label'] !== undefined ? { negativeLabel: args['negative-label'] } : {}),
    });
  } catch (err) {
    throw new UsageError(`--positive-label/--negative-label: ${(err as Error).message}`);
  }
}
