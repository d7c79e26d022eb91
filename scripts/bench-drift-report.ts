/**
 * Drift report benchmark: `npm run bench:drift-report`.
 *
 * 1. Generates a 1,000,000-record x 20-feature capture file and its baseline (bench-drift's generator).
 * 2. In one child process, three rounds of: the detector's work (parse + accumulate + statistics), then the
 *    report's (the same, through the report window, then build the report and render HTML and JSON). Prints each
 *    wall time, the best of each, the report-only phase and the report sizes.
 * 3. Bundles the detector Lambda as CDK does (esbuild, minified, node24) and prints how many of its bytes are the
 *    report code (esbuild metafile).
 * Figures go to .bench/drift-report.json.
 */
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DriftAccumulator, accumulatorSink } from '../lambda/drift-detector/accumulator';
import { parseCaptureStream } from '../lambda/drift-detector/capture-parser';
import { renderDriftReportHtml, renderDriftReportJson } from '../lambda/drift-detector/report/html';
import { buildDriftReport } from '../lambda/drift-detector/report/model';
import { ReportWindow } from '../lambda/drift-detector/report/window';
import { runBench, runBenchChild } from '../test/support/bench';
import { ESBUILD_TARGET, LAMBDA_ENTRIES, REPO_ROOT } from '../lib/constructs/lambda-bundling';
import { FEATURES, buildBaseline, writeCapture } from './bench-drift';
import { pickThresholds } from '../core/contracts/drift-report';
import { ThresholdsSchema } from '../lib/config/schema';
import { BaselineDocument } from '../core/contracts/baseline';

/** The config's default thresholds (monitoring.thresholds). */
const THRESHOLDS = pickThresholds(ThresholdsSchema.parse({}));

/** One pass over the file: the detector's work, or the report's (through the report window, then build and render). */
async function pass(mode: 'detector' | 'report', file: string, baseline: BaselineDocument) {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const acc = new DriftAccumulator(baseline, { features: FEATURES });
  const window = new ReportWindow();
  const sink = accumulatorSink(acc);
  await parseCaptureStream(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    FEATURES,
    mode === 'report' ? window.tap(sink, acc, FEATURES) : sink,
  );
  const result = acc.result();
  const parsed = process.hrtime.bigint();
  let sizes = { htmlBytes: 0, jsonBytes: 0, charts: 0 };
  if (mode === 'report') {
    const report = buildDriftReport({
      baseline,
      baselineFile: { file: 'baseline.json', sha256: '-' },
      result,
      counts: acc.counts(),
      window,
      thresholds: THRESHOLDS,
      captures: [file],
      generatedAt: new Date(),
    });
    const html = renderDriftReportHtml(report);
    const json = renderDriftReportJson(report);
    sizes = {
      htmlBytes: Buffer.byteLength(html),
      jsonBytes: Buffer.byteLength(json),
      charts: html.split('<svg').length - 1,
    };
  }
  const done = process.hrtime.bigint();
  const used = process.cpuUsage(cpu);
  return {
    cpuSeconds: (used.user + used.system) / 1e6,
    records: result.sampleCount,
    seconds: Number(done - started) / 1e9,
    reportOnlyMs: Number(done - parsed) / 1e6,
    ...sizes,
  };
}

/**
 * Child mode: alternating detector and report passes in one process (same JIT state and page cache, so the
 * difference is the report's and not the machine's); prints one JSON line of figures.
 */
async function child(file: string, baselineFile: string, rounds: number): Promise<void> {
  const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as BaselineDocument;
  const detector: number[] = [];
  const report: number[] = [];
  const detectorCpu: number[] = [];
  const reportCpu: number[] = [];
  let last: Awaited<ReturnType<typeof pass>> | undefined;
  for (let i = 0; i < rounds; i++) {
    const d = await pass('detector', file, baseline);
    detector.push(d.seconds);
    detectorCpu.push(d.cpuSeconds);
    last = await pass('report', file, baseline);
    report.push(last.seconds);
    reportCpu.push(last.cpuSeconds);
    process.stderr.write(
      `bench-drift-report:   round ${i + 1}/${rounds}: detector ${detector[i]?.toFixed(2)} s (CPU ${detectorCpu[i]?.toFixed(2)} s), report ${report[i]?.toFixed(2)} s (CPU ${reportCpu[i]?.toFixed(2)} s)\n`,
    );
  }
  process.stdout.write(
    `${JSON.stringify({
      records: last?.records,
      detectorSeconds: detector.map((x) => +x.toFixed(3)),
      reportSeconds: report.map((x) => +x.toFixed(3)),
      detectorCpuSeconds: detectorCpu.map((x) => +x.toFixed(3)),
      reportCpuSeconds: reportCpu.map((x) => +x.toFixed(3)),
      reportOnlyMs: +(last?.reportOnlyMs ?? 0).toFixed(1),
      htmlBytes: last?.htmlBytes,
      jsonBytes: last?.jsonBytes,
      charts: last?.charts,
      maxRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    })}\n`,
  );
}

async function bundleFigures(dir: string): Promise<Record<string, number>> {
  const outfile = join(dir, 'drift-detector.js');
  const res = await build({
    entryPoints: [LAMBDA_ENTRIES['drift-detector']],
    bundle: true,
    minify: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.values(res.metafile.outputs)[0]?.inputs ?? {};
  let report = 0;
  for (const [path, info] of Object.entries(inputs)) {
    const rel = relative(REPO_ROOT, join(process.cwd(), path));
    if (rel.startsWith('lambda/drift-detector/report/') || rel.startsWith('core/contracts/') || rel === 'package.json')
      report += info.bytesInOutput;
  }
  const bytes = statSync(outfile).size;
  return { bundleBytes: bytes, bundleGzipBytes: gzipSync(readFileSync(outfile)).length, reportCodeBytes: report };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-report-'));
  try {
    const baselineFile = join(dir, 'baseline.json');
    writeFileSync(baselineFile, JSON.stringify(buildBaseline()));
    const file = join(dir, 'capture-1m.jsonl');
    process.stderr.write('bench-drift-report: generating 1,000,000-record x 20-feature capture file\n');
    await writeCapture(file, 1_000_000, 1);
    process.stderr.write('bench-drift-report: 3 rounds of detector then report, in one child process\n');
    const ab = await runBenchChild(__filename, [file, baselineFile, '3']);
    const min = (xs: unknown) => Math.min(...(xs as number[]));
    const figures = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      records: ab.records,
      features: FEATURES.length,
      fileMiB: +(statSync(file).size / 2 ** 20).toFixed(1),
      detectorSecondsBest: min(ab.detectorSeconds),
      reportSecondsBest: min(ab.reportSeconds),
      reportMinusDetectorSeconds: +(min(ab.reportSeconds) - min(ab.detectorSeconds)).toFixed(3),
      // CPU time is what the report adds; wall time on a shared machine also measures the neighbours.
      detectorCpuSecondsBest: min(ab.detectorCpuSeconds),
      reportCpuSecondsBest: min(ab.reportCpuSeconds),
      reportMinusDetectorCpuSeconds: +(min(ab.reportCpuSeconds) - min(ab.detectorCpuSeconds)).toFixed(3),
      ...ab,
      lambda: await bundleFigures(dir),
      totalSeconds: +((Date.now() - started) / 1000).toFixed(1),
    };
    mkdirSync('.bench', { recursive: true });
    writeFileSync(join('.bench', 'drift-report.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  runBench('bench-drift-report', {
    spec: {
      command: 'npm run bench:drift-report --',
      summary:
        "Detector against report passes over a 1,000,000-record x 20-feature capture file (wall and CPU time, report\nsizes) and the report code's share of the detector Lambda bundle; writes .bench/drift-report.json.",
      options: {},
    },
    main,
    child: ([file, baselineFile, rounds]) => child(file as string, baselineFile as string, Number(rounds)),
  });
