/**
 * Drift report of captured traffic against a baseline, offline:
 *
 *   npm run drift:report -- --baseline baselines/fraud-xgb.json --capture <file or folder> [--capture ...]
 *     [--out drift-report.html] [--json] [--config cdk.json --model fraud-xgb]
 *     [--psi 0.2 --ks 0.2 --js-distance 0.1 --prediction-psi 0.2 --disparate-impact-min 0.8
 *      --parity-difference-max 0.1 --min-samples 200] [--min-group-size 100] [--quiet]
 *
 * Reads the capture files (JSON Lines, `.gz` too; a folder is read recursively) with the detector's own parser and
 * accumulator, so the numbers are the ones the detector publishes, and writes one self-contained HTML page (or,
 * with --json, the same content as JSON). Thresholds: the flags, else the model's config (--config/--model), else
 * the config defaults. Exit 0: report written; 1: no record could be read against the baseline (report still
 * written); 2: wrong arguments, or a missing or mismatched baseline.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { ThresholdsSchema } from '../lib/config/schema';
import { DriftThresholds, pickThresholds } from '../lib/contracts/drift-report';
import { DriftAccumulator } from '../lambda/drift-detector/accumulator';
import { BaselineDocument, FeatureSpec, validateBaseline } from '../lambda/drift-detector/baseline';
import { parseCaptureStream } from '../lambda/drift-detector/capture-parser';
import { renderDriftReportHtml, renderDriftReportJson } from '../lambda/drift-detector/report/html';
import { DriftReport, buildDriftReport } from '../lambda/drift-detector/report/model';
import { ReportWindow, accumulatorSink } from '../lambda/drift-detector/report/window';
import { UsageError, readModelMonitoring } from '../bin/baseline';

const USAGE = `usage: npm run drift:report -- --baseline <baseline.json> --capture <file or folder> [--capture ...]
  [--out drift-report.html] [--json] [--config <config.json> --model <name>]
  [--psi N] [--ks N] [--js-distance N] [--prediction-psi N] [--disparate-impact-min N] [--parity-difference-max N]
  [--min-samples N] [--min-group-size N] [--quiet]`;

/** Threshold flags, by the DriftThresholds key they set. */
const THRESHOLD_FLAGS: Record<string, keyof DriftThresholds> = {
  psi: 'psi',
  ks: 'ks',
  'js-distance': 'jsDistance',
  'prediction-psi': 'predictionPsi',
  'disparate-impact-min': 'disparateImpactMin',
  'parity-difference-max': 'parityDifferenceMax',
  'min-samples': 'minSamples',
};

/** A missing or mismatched baseline, or unreadable capture input: exit 2 with the message. */
export class InputProblem extends Error {}

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

/** Runs the CLI. Exported for tests; `main` maps its errors to exit codes. */
export async function runDriftReportCli(
  argv: readonly string[],
  stderr: (s: string) => void = (s) => process.stderr.write(s),
  now: () => Date = () => new Date(),
): Promise<DriftReportRun> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        baseline: { type: 'string' },
        capture: { type: 'string', multiple: true },
        out: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        model: { type: 'string' },
        'min-group-size': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
        ...Object.fromEntries(Object.keys(THRESHOLD_FLAGS).map((f) => [f, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const baselineFile = values.baseline as string | undefined;
  const captures = (values.capture as string[] | undefined) ?? [];
  if (baselineFile === undefined)
    throw new UsageError(`--baseline is required: the model's baseline document\n${USAGE}`);
  if (captures.length === 0) throw new UsageError(`--capture is required: a data-capture file or folder\n${USAGE}`);
  const asJson = values.json === true;
  const out = (values.out as string | undefined) ?? (asJson ? 'drift-report.json' : 'drift-report.html');
  const quiet = values.quiet === true;

  const monitoring =
    values.config !== undefined
      ? readModelMonitoring(values.config as string, values.model as string | undefined)
      : undefined;
  const flagged: Partial<Record<keyof DriftThresholds, number>> = {};
  for (const [flag, key] of Object.entries(THRESHOLD_FLAGS)) {
    const raw = values[flag] as string | undefined;
    if (raw !== undefined) flagged[key] = numberFlag(flag, raw, key === 'minSamples');
  }
  const thresholds: DriftThresholds = {
    ...pickThresholds(monitoring?.thresholds ?? ThresholdsSchema.parse({})),
    ...flagged,
  };
  const minGroupSizeRaw = values['min-group-size'] as string | undefined;

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

  const result = acc.result();
  const report = buildDriftReport({
    baseline,
    baselineFile: { file: baselineFile, sha256 },
    result,
    counts: acc.counts(),
    window,
    thresholds,
    captures: files,
    generatedAt: now(),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, asJson ? renderDriftReportJson(report) : renderDriftReportHtml(report));
  const s = report.summary;
  const crossed = s.verdicts
    .filter((v) => v.status === 'drift')
    .map((v) => `${v.metric} ${v.subject} ${v.value?.toFixed(3)}`);
  stderr(
    `drift:report: wrote ${out}: ${!s.judged ? 'NOT JUDGED (fewer than minSamples records)' : s.drifted ? `DRIFT (${crossed.join(', ')})` : 'no drift'}; ${s.sampleCount.toLocaleString('en-US')} records judged, ${s.malformedRecords.toLocaleString('en-US')} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  if (s.sampleCount === 0 && s.malformedRecords > 0) {
    stderr(
      `drift:report: no record could be read against ${baselineFile} (most frequent reason: ${s.skipped[0]?.reason}); are these capture files from the endpoint this baseline was built for?\n`,
    );
    return { report, out, exitCode: 1 };
  }
  return { report, out, exitCode: 0 };
}

async function main(): Promise<number> {
  try {
    return (await runDriftReportCli(process.argv.slice(2))).exitCode;
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputProblem || err instanceof RangeError) {
      process.stderr.write(`drift:report: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`drift:report: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(3);
    },
  );
}
