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
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, defaultOutput, parseCommandLine, runAsMain, usage } from '../lib/cli/args';
import { ConfigError } from '../lib/config/loader';
import { MonitoringConfig } from '../lib/config/schema';
import { DriftAccumulator, accumulatorSink } from '../lambda/drift-detector/accumulator';
import { renderDriftReportHtml, renderDriftReportJson } from '../lambda/drift-detector/report/html';
import { DriftReport, buildDriftReport } from '../lambda/drift-detector/report/model';
import { ReportWindow } from '../lambda/drift-detector/report/window';
import { readModelMonitoring } from '../bin/baseline-cli/options';
import { FeatureSpec } from '../core/contracts/drift-detector';
import { joinGroundTruth, qualityLine } from './drift-report/ground-truth';
import { InputProblem, captureFiles, readBaseline, readCaptures } from './drift-report/inputs';
import { DRIFT_REPORT_COMMAND, DriftReportValues, numberFlag, thresholdsOf } from './drift-report/options';

export interface DriftReportRun {
  readonly report: DriftReport;
  readonly out: string;
  readonly exitCode: number;
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
  const thresholds = thresholdsOf(values, monitoring);
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
  const window = new ReportWindow();
  const started = Date.now();
  await readCaptures(files, features, window.tap(accumulatorSink(acc), acc, features), {
    started,
    records: () => acc.sampleCount + acc.malformedCount,
    ...(quiet ? {} : { progress: stderr }),
  });

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

if (require.main === module) {
  runAsMain(DRIFT_REPORT_COMMAND, async (values) => {
    try {
      return (await driftReport(values)).exitCode;
    } catch (err) {
      // The statistics' RangeError: the baseline and the captures cannot be compared.
      if (err instanceof RangeError) throw new InputProblem(err.message);
      throw err;
    }
  });
}
