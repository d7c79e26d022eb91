/**
 * Drift detector benchmark: `npm run bench:drift` (BENCH_DRIFT_REPEATS=3 by default).
 *
 * 1. Generates capture files of 1,000,000, 200,000 and 10,000 records x 20 features (10 numeric, 10 categorical;
 *    one JSON line per invocation, CSV payload, as SageMaker writes it) into a temp dir, and a baseline from 50,000
 *    training records.
 * 2. On the 1M and 200k files, runs three modes, each in its own child process, interleaved, REPEATS times:
 *    - floor: read the lines (readline) and JSON.parse each one, nothing else;
 *    - project: parseCaptureStream (fast path for regular lines) + accumulator + statistics;
 *    - full parser: the same with every line through parseCaptureLine (a full JSON.parse), i.e. without the fast path.
 *    Each child is a bundle of scripts/bench/drift-parse-child.ts built with the drift detector Lambda's esbuild
 *    options and run by plain node: the code as it ships, without a TypeScript loader thread beside it.
 *    Each child reports records per second of its own CPU time (per core; steady on a shared machine) and of wall
 *    time, its peak RSS (process.resourceUsage().maxRSS), a sampled heapUsed high-water mark, and a SHA-256 of every
 *    statistic: the run fails unless the fast path and the full parser computed bit-identical results.
 *    Prints medians and the ratios project / floor and full parser / floor (CPU time).
 * 3. Times the real handler against a local moto_server: from "object is in S3" to "metrics written"
 *    (GetObject + parse + statistics + EMF metric lines), cold (baseline load included) and warm.
 * Figures go to .bench/drift.json. About 3 minutes on 2 idle cores.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeHandler } from '../lambda/drift-detector/handler';
import { createLogger } from '../lambda/shared/logger';
import { startMoto } from '../test/support/moto-server';
import { makeRng } from './make-example-data';
import { parseOrExit } from '../lib/cli/args';
import { esbuildOptions } from '../lib/constructs/lambda-bundling';
import { FEATURES } from './bench/drift-parse-child';
import { buildSync } from 'esbuild';
import { formatFeatureSpec } from '../core/contracts/drift-detector';
import { readConfig } from '../lambda/drift-detector/settings';
import { BaselineBuilder } from '../lib/baseline/builder';
import { BaselineDocument } from '../core/contracts/baseline';
import { makeBaselineLoader } from '../lambda/drift-detector/baseline-loader';

export { FEATURES };
const CATEGORIES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function row(rng: () => number, shift: number): (number | string)[] {
  return FEATURES.map((f, i) => {
    if (f.type === 'numeric') {
      const u = 1 - rng();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
      return Math.round((i * 10 + (z + shift) * (i + 1)) * 1000) / 1000;
    }
    return CATEGORIES[Math.min(7, Math.floor(rng() * rng() * 8 + shift))] as string;
  });
}

function captureLine(values: (number | string)[], seq: number): string {
  const label = (values[0] as number) > 0.5 ? 1 : 0;
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: values.join(','), encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: `${label}`, encoding: 'CSV' },
    },
    eventMetadata: { eventId: `evt-${seq}`, inferenceTime: '2026-01-01T10:00:00Z' },
    eventVersion: '0',
  });
}

export async function writeCapture(path: string, n: number, seed: number): Promise<void> {
  const rng = makeRng(seed);
  const out = createWriteStream(path);
  const started = Date.now();
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    buf.push(captureLine(row(rng, i % 2 ? 0.3 : 0), i));
    if (buf.length === 1000) {
      if (!out.write(`${buf.join('\n')}\n`)) await once(out, 'drain');
      buf = [];
    }
    if (n >= 100_000 && (i + 1) % 200_000 === 0)
      process.stderr.write(
        `  generated ${(i + 1).toLocaleString('en')} / ${n.toLocaleString('en')} records (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
  }
  if (buf.length > 0) out.write(`${buf.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

export function buildBaseline(): BaselineDocument {
  const rng = makeRng(7);
  const b = new BaselineBuilder({ features: FEATURES, predictionColumn: 'y', sensitiveAttribute: 'cat_0' });
  for (let i = 0; i < 50_000; i++) {
    const values = row(rng, 0);
    const rec: Record<string, unknown> = Object.fromEntries(FEATURES.map((f, j) => [f.name, values[j]]));
    rec.y = (values[0] as number) > 0.5 ? 1 : 0;
    b.add(rec);
  }
  return b.build({ createdAt: new Date().toISOString(), source: { file: 'bench', sha256: '-', format: 'csv' } });
}

type Mode = 'floor' | 'project' | 'full-parse';
const MODES: readonly Mode[] = ['floor', 'project', 'full-parse'];

/**
 * The child runs as an esbuild bundle of scripts/bench/drift-parse-child.ts with the drift detector Lambda's own
 * esbuild options (minified, same target): what is measured is the code as it ships, and no TypeScript loader
 * thread (tsx) runs beside it and adds its CPU time to the child's.
 */
function buildChild(dir: string): string {
  const outfile = join(dir, 'drift-parse-child.cjs');
  const { entryPoints: _lambdaEntry, ...options } = esbuildOptions('drift-detector');
  buildSync({ ...options, entryPoints: [join(__dirname, 'bench', 'drift-parse-child.ts')], outfile, format: 'cjs' });
  return outfile;
}

async function runChild(
  childScript: string,
  mode: Mode,
  file: string,
  baselineFile: string,
): Promise<Record<string, unknown>> {
  const proc = spawn(process.execPath, [childScript, mode, file, baselineFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(proc, 'exit')) as [number];
  if (code !== 0) throw new Error(`benchmark child for ${file} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

async function handlerBench(baseline: BaselineDocument, realistic: string): Promise<Record<string, unknown>> {
  const moto = await startMoto();
  try {
    const cfg = {
      endpoint: moto.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    };
    const s3 = new S3Client(cfg);
    for (const Bucket of ['capture', 'assets'])
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
    await s3.send(new PutObjectCommand({ Bucket: 'assets', Key: 'baseline.json', Body: JSON.stringify(baseline) }));
    const config = readConfig({
      FEATURES: formatFeatureSpec(FEATURES),
      SENSITIVE_ATTRIBUTE: 'cat_0',
      BASELINE_BUCKET: 'assets',
      BASELINE_KEY: 'baseline.json',
      ENDPOINT_NAME: 'bench',
    });
    const handler = makeHandler({
      s3,
      // The EMF lines are serialised (their cost counted) and dropped instead of flooding the bench's output.
      writeMetrics: () => undefined,
      logger: createLogger('bench', 'WARN'),
      config,
      baseline: makeBaselineLoader(s3, config),
    });
    const body = readFileSync(realistic);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const key = `datacapture/bench/bench/AllTraffic/2026/01/01/10/file-${i}.jsonl`;
      await s3.send(new PutObjectCommand({ Bucket: 'capture', Key: key, Body: body }));
      const t0 = process.hrtime.bigint();
      const out = await handler({ detail: { bucket: { name: 'capture' }, object: { key } } });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (out.objects[0]?.status !== 'published') throw new Error(`handler did not publish: ${JSON.stringify(out)}`);
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    return {
      file: `${(body.length / 2 ** 20).toFixed(1)} MiB, ${body.toString().split('\n').length - 1} records x ${FEATURES.length} features`,
      coldMs: Math.round(times[0] as number),
      warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)] as number),
      warmRunsMs: warm.map(Math.round),
      note: 'object already in S3 -> handler returns (GetObject, parse, statistics, EMF metric lines); EventBridge delivery latency not included',
    };
  } finally {
    await moto.stop();
  }
}

const REPEATS = Number(process.env.BENCH_DRIFT_REPEATS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs every mode on one file REPEATS times, interleaved (floor, project, full parse, floor, ...); medians. */
async function parseCases(
  childScript: string,
  file: string,
  baselineFile: string,
  name: string,
): Promise<Record<string, unknown>> {
  const runs: Record<Mode, Record<string, unknown>[]> = { floor: [], project: [], 'full-parse': [] };
  for (let r = 0; r < REPEATS; r++)
    for (const mode of MODES) {
      const fig = await runChild(childScript, mode, file, baselineFile);
      runs[mode].push(fig);
      process.stderr.write(
        `bench-drift: ${name} ${mode} run ${r + 1}/${REPEATS}: ${fig.recordsPerCpuSecond} records/CPU-s ` +
          `(${fig.recordsPerSecond} records/s wall), ${fig.maxRssMB} MB\n`,
      );
    }
  const digests = new Set([...runs.project, ...runs['full-parse']].map((f) => f.resultSha256));
  if (digests.size !== 1)
    throw new Error(`${name}: the fast path and the full parser computed different statistics (${[...digests]})`);
  const summary = (mode: Mode) => ({
    recordsPerCpuSecond: median(runs[mode].map((f) => f.recordsPerCpuSecond as number)),
    cpuSeconds: +median(runs[mode].map((f) => f.cpuSeconds as number)).toFixed(3),
    recordsPerSecond: median(runs[mode].map((f) => f.recordsPerSecond as number)),
    seconds: +median(runs[mode].map((f) => f.seconds as number)).toFixed(3),
    maxRssMB: Math.max(...runs[mode].map((f) => f.maxRssMB as number)),
    runsRecordsPerCpuSecond: runs[mode].map((f) => f.recordsPerCpuSecond as number),
  });
  const floor = summary('floor');
  const project = summary('project');
  const fullParse = summary('full-parse');
  return {
    fileMiB: +(statSync(file).size / 2 ** 20).toFixed(1),
    records: runs.project[0]?.records,
    floor,
    project,
    fullParse,
    /** project CPU time / floor CPU time, medians (1.0 = as fast as reading and JSON.parse-ing the lines) */
    ratioProjectToFloor: +(project.cpuSeconds / floor.cpuSeconds).toFixed(2),
    ratioFullParseToFloor: +(fullParse.cpuSeconds / floor.cpuSeconds).toFixed(2),
    statisticsIdentical: true,
    resultSha256: [...digests][0],
    accumulatorCounters: runs.project[0]?.accumulatorCounters,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  try {
    process.stderr.write(`bench-drift: working in ${dir}\n`);
    const baseline = buildBaseline();
    const baselineFile = join(dir, 'baseline.json');
    writeFileSync(baselineFile, JSON.stringify(baseline));
    const files = {
      records_200k: join(dir, 'capture-200k.jsonl'),
      records_1m: join(dir, 'capture-1m.jsonl'),
    };
    const small = join(dir, 'capture-10k.jsonl');
    process.stderr.write('bench-drift: generating 1,000,000- and 200,000-record capture files\n');
    await writeCapture(files.records_1m, 1_000_000, 1);
    await writeCapture(files.records_200k, 200_000, 3);
    await writeCapture(small, 10_000, 2);
    process.stderr.write(
      `bench-drift: files ready in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `each mode in its own child process, ${REPEATS} interleaved runs (BENCH_DRIFT_REPEATS), medians\n`,
    );
    const cases: Record<string, Record<string, unknown>> = {};
    const childScript = buildChild(dir);
    for (const [name, file] of Object.entries(files))
      cases[name] = await parseCases(childScript, file, baselineFile, name);
    process.stderr.write('bench-drift: handler against moto_server\n');
    const handler = await handlerBench(baseline, small);
    process.stderr.write(`bench-drift: handler: ${JSON.stringify(handler)}\n`);
    const report = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      features: FEATURES.length,
      parseAccumulateStatistics: cases,
      handlerAgainstMoto: handler,
      totalSeconds: +((Date.now() - started) / 1000).toFixed(1),
    };
    mkdirSync('.bench', { recursive: true });
    writeFileSync(join('.bench', 'drift.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      '\nrecords per CPU-second of the parsing process (per core), medians; records/s wall clock in brackets\n' +
        'case         | floor: lines + JSON.parse | project (fast path) | full parser only | project / floor | full / floor | peak RSS MB\n',
    );
    type Fig = { recordsPerCpuSecond: number; recordsPerSecond: number; maxRssMB: number };
    const cell = (x: Fig, width: number) => `${x.recordsPerCpuSecond} (${x.recordsPerSecond})`.padStart(width);
    for (const [name, c] of Object.entries(cases)) {
      const [f, p, fp] = [c.floor, c.project, c.fullParse] as [Fig, Fig, Fig];
      process.stdout.write(
        `${name.padEnd(12)} | ${cell(f, 25)} | ${cell(p, 19)} | ${cell(fp, 16)} | ${String(c.ratioProjectToFloor).padStart(15)} | ` +
          `${String(c.ratioFullParseToFloor).padStart(12)} | ${String(p.maxRssMB).padStart(11)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  parseOrExit(
    {
      command: 'npm run bench:drift --',
      summary:
        'Drift detector records/s and peak memory for 1,000,000 and 200,000 capture records, and object-to-metrics\ntime against moto_server; writes .bench/drift.json.',
      options: {},
    },
    process.argv.slice(2),
  );
  main().catch((err: Error) => {
    process.stderr.write(`bench-drift: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
