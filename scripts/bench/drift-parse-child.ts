/**
 * One pass of `npm run bench:drift` over one capture file in one mode, in its own process; prints one JSON line of
 * figures. bench-drift.ts bundles this file with the drift detector Lambda's esbuild options and runs the bundle
 * with plain node: `node drift-parse-child.cjs <floor|project|full-parse> <capture.jsonl> <baseline.json>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DriftAccumulator, accumulatorSink } from '../../lambda/drift-detector/accumulator';
import type { BaselineDocument } from '../../core/contracts/baseline';
import type { FeatureSpec } from '../../core/contracts/drift-detector';
import { parseCaptureLine, parseCaptureStream } from '../../lambda/drift-detector/capture-parser';
import { CaptureSink } from '../../lambda/drift-detector/capture-sink';

/** The benchmark's model: 20 features, 10 numeric then 10 categorical, in payload order. */
export const FEATURES: FeatureSpec[] = Array.from({ length: 20 }, (_, i) =>
  i < 10 ? { name: `num_${i}`, type: 'numeric' } : { name: `cat_${i - 10}`, type: 'categorical' },
);

export type Mode = 'floor' | 'project' | 'full-parse';

/** The floor: read the lines and JSON.parse each one, nothing else. Returns the number of records. */
async function floorPass(file: string): Promise<number> {
  let n = 0;
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    if (JSON.parse(line) !== null) n++;
  }
  return n;
}

/** The project without its fast path: the same readline loop as parseCaptureStream, every line through parseCaptureLine. */
async function fullParsePass(file: string, sink: CaptureSink): Promise<void> {
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) {
    lines++;
    if (line.trim() === '') continue;
    parseCaptureLine(line, lines, FEATURES, sink);
  }
}

/** Child mode: one pass over one file in one mode; prints one JSON line of figures. */
async function child(mode: Mode, file: string, baselineFile: string): Promise<void> {
  const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as BaselineDocument;
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 25);
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let figures: Record<string, unknown>;
  let records: number;
  if (mode === 'floor') {
    records = await floorPass(file);
    figures = {};
  } else {
    const acc = new DriftAccumulator(baseline, { features: FEATURES });
    const sink = accumulatorSink(acc);
    if (mode === 'project')
      await parseCaptureStream(createReadStream(file, { highWaterMark: 1 << 20 }), FEATURES, sink);
    else await fullParsePass(file, sink);
    const result = acc.result();
    records = result.sampleCount;
    figures = {
      malformed: result.malformedRecords,
      accumulatorCounters: acc.stateSize(),
      maxFeaturePsi: result.maxFeaturePsi,
      // every statistic, hashed: the parent checks that both parser paths computed bit-identical results
      resultSha256: createHash('sha256').update(JSON.stringify(result)).digest('hex'),
    };
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(timer);
  sample();
  process.stdout.write(
    `${JSON.stringify({
      mode,
      records,
      seconds,
      recordsPerSecond: Math.round(records / seconds),
      cpuSeconds,
      // per core: records per second of this process's own CPU time, robust to other load on a shared machine
      recordsPerCpuSecond: Math.round(records / cpuSeconds),
      maxRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
      sampledPeakRssMB: +(peakRss / 2 ** 20).toFixed(1),
      sampledPeakHeapUsedMB: +(peakHeap / 2 ** 20).toFixed(1),
      ...figures,
    })}\n`,
  );
}

const MODES = ['floor', 'project', 'full-parse'];
if (require.main === module) {
  const [mode, file, baselineFile] = process.argv.slice(2);
  if (!MODES.includes(mode ?? '') || file === undefined || baselineFile === undefined) {
    process.stderr.write(`usage: node drift-parse-child.cjs <${MODES.join('|')}> <capture.jsonl> <baseline.json>\n`);
    process.exit(2);
  }
  child(mode as Mode, file, baselineFile).catch((err: Error) => {
    process.stderr.write(`bench-drift child: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
