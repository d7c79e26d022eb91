/**
 * Drift report of captured traffic against a baseline, offline:
 *
 *   npm run drift:report -- --baseline baselines/fraud-xgb.json --capture <file or folder> [--capture ...]
 *     [--out reports/drift-report.html] [--json] [--config cdk.json --model fraud-xgb]
 *     [--psi 0.2 --ks 0.2 --js-distance 0.1 --prediction-psi 0.2 --disparate-impact-min 0.8
 *      --parity-difference-max 0.1 --min-samples 200] [--min-group-size 100] [--quiet]
 *     [--ground-truth <file or folder> [--min-labelled 100]]
 *
 * Reads the capture files (JSON Lines, `.gz` too; a folder is read recursively) with the detector's own parser and
 * accumulator, so the numbers are the ones the detector publishes, and writes one self-contained HTML page (or,
 * with --json, the same content as JSON). Thresholds: the flags, else the model's config (--config/--model), else
 * the config defaults (`npm run drift:report -- --help` for every option). With --ground-truth, the labels (SageMaker's
 * ground-truth format) are joined to the captured predictions and the report gains a `quality` section: model
 * quality and outcome fairness, as scikit-learn defines them, with every label that joins nothing counted by reason. Exit 0: report written; 1: no record could
 * be read against the baseline (report still written); 2: wrong arguments, a missing or mismatched baseline, an
 * invalid --config or unreadable capture input.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  CommandSpec,
  InputError,
  OptionSpec,
  UsageError,
  defaultOutput,
  Values,
  parseCommandLine,
  runCommand,
  usage,
} from '../lib/cli/args';
import { ConfigError } from '../lib/config/loader';
import { MonitoringConfig, ThresholdsSchema } from '../lib/config/schema';
import { DRIFT_THRESHOLD_DEFAULTS, DriftThresholds, pickThresholds } from '../core/contracts/drift-report';
import { QUALITY_DEFAULTS, QualitySettings, qualitySettings } from '../core/contracts/quality';
import { QualityJoin, QualityReport } from '../lambda/drift-detector/quality/join';
import { readCaptureIntoLedger, readGroundTruthIntoJoin } from '../lambda/drift-detector/quality/streams';
import { DriftAccumulator, accumulatorSink } from '../lambda/drift-detector/accumulator';
import { parseCaptureStream } from '../lambda/drift-detector/capture-parser';
import { renderDriftReportHtml, renderDriftReportJson } from '../lambda/drift-detector/report/html';
import { DriftReport, buildDriftReport } from '../lambda/drift-detector/report/model';
import { ReportWindow } from '../lambda/drift-detector/report/window';
import { readModelMonitoring } from '../bin/baseline';
import { FeatureSpec } from '../core/contracts/drift-detector';
import { BaselineDocument, validateBaseline } from '../core/contracts/baseline';

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

/** A missing or mismatched baseline, an invalid --config, or unreadable capture input: exit 2 with the message. */
export class InputProblem extends InputError {}

export interface DriftReportRun {
  readonly report: DriftReport;
  readonly out: string;
  readonly exitCode: number;
}

function numberFlag(flag: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'} >= 0, got "${raw}"`);
  return n;
}

/** Capture files under a path: the file itself, or every regular file of a folder (recursively, sorted). */
export function captureFiles(path: string): string[] {
  if (!existsSync(path))
    throw new InputProblem(
      `--capture ${path} does not exist: give a data-capture file (.jsonl, .jsonl.gz) or a folder of them`,
    );
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...captureFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function readBaseline(file: string): { doc: BaselineDocument; sha256: string } {
  if (!existsSync(file))
    throw new InputProblem(
      `--baseline ${file} does not exist; build one with \`npm run baseline -- --input <training data> --output ${file} ...\` or point at the model's monitoring.baselineFile`,
    );
  const bytes = readFileSync(file);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputProblem(
      `--baseline ${file} is not valid JSON (${(err as Error).message}); regenerate it with \`npm run baseline\``,
    );
  }
  try {
    return { doc: validateBaseline(doc, file), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (err) {
    throw new InputProblem((err as Error).message);
  }
}

/**
 * The command on an argument list, for tests and scripts: parsed by the shared parser (a UsageError for a mistake,
 * and for --help, whose usage only the command prints), then run by `driftReport`.
 */
export async function runDriftReportCli(
  argv: readonly string[],
  stderr: (s: string) => void = (s) => process.stderr.write(s),
  now: () => Date = () => new Date(),
): Promise<DriftReportRun> {
  const parsed = parseCommandLine(DRIFT_REPORT_COMMAND, argv);
  if (parsed.help) throw new UsageError(usage(DRIFT_REPORT_COMMAND));
  return driftReport(parsed.values, stderr, now);
}

/** Reads the captures and writes the report. Mistakes throw UsageError, unusable input InputProblem. */
export async function driftReport(
  values: DriftReportValues,
  stderr: (s: string) => void = (s) => process.stderr.write(s),
  now: () => Date = () => new Date(),
): Promise<DriftReportRun> {
  const baselineFile = values.baseline;
  const captures = values.capture ?? [];
  if (baselineFile === undefined) throw new UsageError("--baseline is required: the model's baseline document");
  if (captures.length === 0) throw new UsageError('--capture is required: a data-capture file or folder');
  const asJson = values.json === true;
  const out = values.out ?? defaultOutput(asJson ? 'drift-report.json' : 'drift-report.html');
  const quiet = values.quiet === true;

  let monitoring: MonitoringConfig | undefined;
  try {
    monitoring = values.config !== undefined ? readModelMonitoring(values.config, values.model) : undefined;
  } catch (err) {
    if (err instanceof ConfigError) throw new InputProblem(err.message);
    throw err;
  }
  const flagged: Partial<Record<keyof DriftThresholds, number>> = {};
  for (const [flag, key] of Object.entries(THRESHOLD_FLAGS) as [
    keyof typeof THRESHOLD_FLAGS,
    keyof DriftThresholds,
  ][]) {
    const raw = values[flag];
    if (raw !== undefined) flagged[key] = numberFlag(flag, raw, key === 'minSamples');
  }
  const thresholds: DriftThresholds = {
    ...pickThresholds(monitoring?.thresholds ?? ThresholdsSchema.parse({})),
    ...flagged,
  };
  const minGroupSizeRaw = values['min-group-size'];

  const { doc: baseline, sha256 } = readBaseline(baselineFile);
  const features: FeatureSpec[] =
    monitoring?.features.map((f) => ({ name: f.name, type: f.type })) ??
    baseline.features.map((f) => ({ name: f.name, type: f.distribution.type }));
  let acc: DriftAccumulator;
  try {
    acc = new DriftAccumulator(baseline, {
      features,
      ...(monitoring?.sensitiveAttribute !== undefined ? { sensitiveAttribute: monitoring.sensitiveAttribute } : {}),
      ...(monitoring ? { positiveLabel: monitoring.positiveLabel } : {}),
      ...(minGroupSizeRaw !== undefined ? { minGroupSize: numberFlag('min-group-size', minGroupSizeRaw, true) } : {}),
    });
  } catch (err) {
    throw new InputProblem(`baseline ${baselineFile} does not match the features to judge: ${(err as Error).message}`);
  }

  const files = captures.flatMap(captureFiles);
  if (files.length === 0) throw new InputProblem(`--capture ${captures.join(', ')}: no files found`);
  const totalBytes = files.reduce((a, f) => a + statSync(f).size, 0);
  const window = new ReportWindow();
  const sink = window.tap(accumulatorSink(acc), acc, features);
  let doneBytes = 0;
  let lastProgress = Date.now();
  const started = Date.now();
  for (const [i, file] of files.entries()) {
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    let read = 0;
    raw.on('data', (chunk) => {
      read += chunk.length;
      if (!quiet && Date.now() - lastProgress >= 2000) {
        lastProgress = Date.now();
        stderr(
          `drift:report: ${i + 1}/${files.length} ${file}: ${(((doneBytes + read) / Math.max(1, totalBytes)) * 100).toFixed(0)}% of ${(totalBytes / 2 ** 20).toFixed(1)} MB, ${(acc.sampleCount + acc.malformedCount).toLocaleString('en-US')} records, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
      }
    });
    // pipeline (not pipe) so an error of the file stream reaches the gunzip stream the parser reads.
    const source: Readable = file.endsWith('.gz') ? pipeline(raw, createGunzip(), () => undefined) : raw;
    try {
      await parseCaptureStream(source, features, sink);
    } catch (err) {
      throw new InputProblem(`capture file ${file} cannot be read: ${(err as Error).message}`);
    }
    doneBytes += statSync(file).size;
  }

  const quality =
    values['ground-truth'] !== undefined && values['ground-truth'].length > 0
      ? await joinGroundTruth(values, files, features, monitoring, baseline, stderr)
      : undefined;

  const result = acc.result();
  const drift = buildDriftReport({
    baseline,
    baselineFile: { file: baselineFile, sha256 },
    result,
    counts: acc.counts(),
    window,
    thresholds,
    captures: files,
    generatedAt: now(),
  });
  const report: DriftReport = quality !== undefined ? { ...drift, quality } : drift;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, asJson ? renderDriftReportJson(report) : renderDriftReportHtml(report));
  const s = report.summary;
  const crossed = s.verdicts
    .filter((v) => v.status === 'drift')
    .map((v) => `${v.metric} ${v.subject} ${v.value?.toFixed(3)}`);
  stderr(
    `drift:report: wrote ${out}: ${!s.judged ? 'NOT JUDGED (fewer than minSamples records)' : s.drifted ? `DRIFT (${crossed.join(', ')})` : 'no drift'}; ${s.sampleCount.toLocaleString('en-US')} records judged, ${s.malformedRecords.toLocaleString('en-US')} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  if (quality !== undefined) stderr(`drift:report: ${qualityLine(quality)}\n`);
  if (s.sampleCount === 0 && s.malformedRecords === 0) {
    stderr(
      `drift:report: the capture input (${files.join(', ')}) holds no record: nothing was judged; give the data-capture files of the endpoint (JSON Lines, one invocation per line)\n`,
    );
    return { report, out, exitCode: 1 };
  }
  if (s.sampleCount === 0 && s.malformedRecords > 0) {
    stderr(
      `drift:report: no record could be read against ${baselineFile} (most frequent reason: ${s.skipped[0]?.reason}); are these capture files from the endpoint this baseline was built for?\n`,
    );
    return { report, out, exitCode: 1 };
  }
  return { report, out, exitCode: 0 };
}

/** A readable stream of a file, gunzipped when it ends in .gz. */
function openFile(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  return file.endsWith('.gz') ? pipeline(raw, createGunzip(), () => undefined) : raw;
}

/**
 * The quality settings of --model's monitoring.quality (defaults without one; the positive label and sensitive
 * attribute then come from the baseline), with --min-labelled and --min-group-size over them.
 */
function qualitySettingsOf(
  monitoring: MonitoringConfig | undefined,
  baseline: BaselineDocument,
  values: DriftReportValues,
): QualitySettings {
  const minLabelledRaw = values['min-labelled'];
  const minGroupSizeRaw = values['min-group-size'];
  const q = monitoring?.quality;
  const positiveLabel = monitoring?.positiveLabel ?? baseline.fairness?.positiveLabel;
  return qualitySettings({
    ...(q ?? {}),
    ...(positiveLabel !== undefined ? { positiveLabel } : {}),
    minGroupSize:
      minGroupSizeRaw !== undefined
        ? numberFlag('min-group-size', minGroupSizeRaw, true)
        : (monitoring?.thresholds.minGroupSize ?? DRIFT_THRESHOLD_DEFAULTS.minGroupSize),
    ...(minLabelledRaw !== undefined
      ? { minLabelled: Math.max(1, numberFlag('min-labelled', minLabelledRaw, true)) }
      : {}),
  });
}

/**
 * Reads the captures again into a prediction ledger (id, prediction, score, group), then the ground-truth files into
 * the join. A ground-truth file none of whose lines is a ground-truth record is refused (exit 2) with its first
 * line's problem; single bad lines are counted by reason in the report.
 */
async function joinGroundTruth(
  values: DriftReportValues,
  captureFilesRead: readonly string[],
  features: readonly FeatureSpec[],
  monitoring: MonitoringConfig | undefined,
  baseline: BaselineDocument,
  stderr: (s: string) => void,
): Promise<QualityReport> {
  const groundTruth = values['ground-truth'] ?? [];
  const settings = qualitySettingsOf(monitoring, baseline, values);
  const sensitive = monitoring?.sensitiveAttribute ?? baseline.fairness?.sensitiveAttribute;
  const sensitiveIndex = sensitive !== undefined ? features.findIndex((f) => f.name === sensitive) : -1;
  const join = new QualityJoin(settings);
  const skipped = new Map<string, { count: number; example: string }>();
  for (const file of captureFilesRead) {
    await readCaptureIntoLedger(
      openFile(file),
      { settings, features, ...(sensitiveIndex >= 0 ? { sensitiveIndex } : {}) },
      {
        entry: (e) => join.addPrediction(e),
        skipped: (n, reason, message, line) => {
          join.predictionSkipped(reason, n);
          const s = skipped.get(reason) ?? { count: 0, example: `${file}:${line}: ${message}` };
          s.count += n;
          skipped.set(reason, s);
        },
      },
    );
  }
  for (const [reason, s] of skipped)
    stderr(`drift:report: ${s.count} captured row(s) cannot wait for a label (${reason}), e.g. ${s.example}\n`);
  const files = groundTruth.flatMap((path) => {
    if (!existsSync(path))
      throw new InputProblem(
        `--ground-truth ${path} does not exist: give a file of SageMaker ground-truth lines (.jsonl) or a folder of them`,
      );
    return captureFiles(path);
  });
  if (files.length === 0) throw new InputProblem(`--ground-truth ${groundTruth.join(', ')}: no files found`);
  for (const file of files) {
    const before = join.result().unmatchedLabelsByReason.unreadable;
    let read: { lines: number; readable: number };
    try {
      read = await readGroundTruthIntoJoin(openFile(file), file, join);
    } catch (err) {
      throw new InputProblem(`ground-truth file ${file} cannot be read: ${(err as Error).message}`);
    }
    if (read.readable === 0 && read.lines > 0 && join.result().unmatchedLabelsByReason.unreadable > before)
      throw new InputProblem(
        `ground-truth file ${file} holds no ground-truth record: ${join.result().unmatchedLabelExamples.unreadable ?? ''}`,
      );
  }
  return join.result();
}

function qualityLine(q: QualityReport): string {
  const why = Object.entries(q.unmatchedLabelsByReason)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  const metrics =
    q.metrics === null
      ? `NOT JUDGED (${q.labelled} labelled, fewer than minLabelled ${q.minLabelled})`
      : Object.entries(q.metrics)
          .map(([k, v]) => `${k} ${v === null ? '–' : v.toFixed(4)}`)
          .join(', ');
  const flagged = q.verdicts.filter((v) => v.status !== 'ok').map((v) => `${v.metric} ${v.status.toUpperCase()}`);
  return `quality: ${q.labelled.toLocaleString('en-US')} labelled, ${q.predictionsWithoutLabel.toLocaleString('en-US')} predictions without a label, ${q.unmatchedLabels.toLocaleString('en-US')} labels not joined${why ? ` (${why})` : ''}; ${metrics}${flagged.length ? `; ${flagged.join(', ')}` : ''}${
    Object.keys(q.unmatchedLabelExamples).length
      ? `\n${Object.entries(q.unmatchedLabelExamples)
          .map(([r, e]) => `  ${r}: ${e}`)
          .join('\n')}`
      : ''
  }`;
}

if (require.main === module) {
  void runCommand(DRIFT_REPORT_COMMAND, process.argv.slice(2), async (values) => {
    try {
      return (await driftReport(values)).exitCode;
    } catch (err) {
      // The statistics' RangeError: the baseline and the captures cannot be compared.
      if (err instanceof RangeError) throw new InputProblem(err.message);
      throw err;
    }
  }).then((code) => {
    process.exitCode = code;
  });
}
