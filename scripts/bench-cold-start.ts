/**
 * Cold-start benchmark: `npm run bench:cold-start -- [--runs 15] [--root /path/to/other/checkout]`.
 *
 * For each Lambda function, builds the bundle `cdk synth` ships (esbuildOptions(name): AWS SDK external, as the
 * Node.js runtime provides it) and the same bundle with the SDK inside, then prints side by side:
 *  - bundle size (raw and gzip),
 *  - init cost: the wall time, and the process's own CPU time, of a fresh `node` process that loads the bundle (what
 *    Lambda's INIT phase runs: module load plus the entry point's top-level code), minus those of an empty `node`
 *    process; the external-SDK bundle resolves the SDK from this repository's node_modules, as Lambda resolves it
 *    from the runtime's. On a shared machine the CPU figure is the steadier one.
 * Runs are interleaved (empty, fn1, fn2, ..., empty, ...) so load from other processes on a shared machine hits
 * every case alike; figures are medians. `--root` bundles another checkout's lambda/ (e.g. a `git worktree` of the
 * previous commit) with the same options, for a before/after comparison. Results go to .bench/cold-start.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { CommandSpec, OptionSpec, intOption, runAsMain } from '../lib/cli/args';
import { compliancePolicy, parseConfig } from '../lib/config/loader';
import { LAMBDA_ENTRIES, LambdaName, REPO_ROOT, esbuildOptions } from '../lib/constructs/lambda-bundling';
import { defaultConfigDocument } from '../test/support/app';
import { complianceCheckerEnvironment } from '../core/contracts/compliance-checker';
import { driftDetectorEnvironment } from '../core/contracts/drift-detector';

export const BENCH_COLD_START_COMMAND = {
  command: 'npm run bench:cold-start --',
  summary:
    "Each Lambda function's bundle size and init cost (wall and CPU time of a fresh node process that loads it),\nwith the AWS SDK external and inside; writes .bench/cold-start.json.",
  options: {
    runs: { type: 'string', valueName: '<n>', description: 'interleaved runs; figures are their medians (default 15)' },
    root: {
      type: 'string',
      valueName: '<dir>',
      description: 'another checkout whose lambda/ is bundled, for a before/after comparison (default: this one)',
    },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

/**
 * The environment each function reads and validates at cold start (no AWS call happens at init), rendered by the
 * same contract functions the constructs use, so the bench starts the functions exactly as a deployment does.
 */
const INIT_ENV: Record<string, string> = {
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  ...complianceCheckerEnvironment({
    policy: compliancePolicy(parseConfig(defaultConfigDocument())),
    reportBucket: 'bench-reports',
    reportKmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    alertTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`,
    concurrency: 8,
    scanRegions: [REGION],
    imageScope: 'in-use',
  }),
  ...driftDetectorEnvironment({
    features: [
      { name: 'amount', type: 'numeric' },
      { name: 'merchant_category', type: 'categorical' },
    ],
    positiveLabel: 1,
    minSamples: 200,
    minGroupSize: 100,
    windowMaxAgeHours: 24,
    stateBucket: 'bench-capture',
    statePrefix: 'drift-state/',
    endpointName: 'bench-endpoint',
    variantName: 'AllTraffic',
    baselineBucket: 'bench-baseline',
    baselineKey: 'baseline.json',
  }),
};

/** One fresh `node` process that loads `file` (or nothing): its wall time and its own CPU time (user + system), ms. */
function processMs(file?: string): { wall: number; cpu: number } {
  // The figure is the last line of stdout: a function may log at init, before it.
  const report = 'const u=process.cpuUsage();process.stdout.write("\\nCPU_MS="+(u.user+u.system)/1000)';
  const started = process.hrtime.bigint();
  const out = execFileSync(
    process.execPath,
    file ? ['-e', `require(process.argv[1]);${report}`, file] : ['-e', report],
    { env: { ...process.env, ...INIT_ENV, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const cpu = /CPU_MS=([0-9.]+)$/.exec(out.toString());
  if (!cpu) throw new Error(`cold-start child printed no CPU figure: ${out.toString().slice(-300)}`);
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: Number(cpu[1]) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

interface Bundle {
  readonly fn: LambdaName;
  readonly variant: 'shipped (SDK external)' | 'SDK bundled';
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

function bundles(outDir: string, ROOT: string): Bundle[] {
  const out: Bundle[] = [];
  for (const fn of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
    const opts = esbuildOptions(fn);
    // Another checkout: the same options, over its entry file.
    const entry = join(ROOT, relative(REPO_ROOT, LAMBDA_ENTRIES[fn]));
    for (const variant of ['shipped (SDK external)', 'SDK bundled'] as const) {
      const file = join(outDir, `${fn}.${variant === 'SDK bundled' ? 'sdk-bundled' : 'shipped'}.js`);
      buildSync({
        ...opts,
        entryPoints: [entry],
        absWorkingDir: ROOT,
        // node_modules of this repository, for a checkout without its own
        nodePaths: [join(REPO_ROOT, 'node_modules')],
        ...(variant === 'SDK bundled' ? { external: [] } : {}),
        outfile: file,
      });
      const bytes = readFileSync(file);
      out.push({ fn, variant, file, bytes: statSync(file).size, gzipBytes: gzipSync(bytes).length });
    }
  }
  return out;
}

function main(RUNS: number, ROOT: string): void {
  const started = Date.now();
  // Inside the repository, so the external SDK resolves from its node_modules as it would from the runtime's.
  mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
  const outDir = mkdtempSync(join(REPO_ROOT, '.bench', 'cold-start-'));
  try {
    console.log(`bench:cold-start: bundling ${ROOT === REPO_ROOT ? 'this checkout' : ROOT}`);
    const all = bundles(outDir, ROOT);
    // Warm-up, and a check: a bundle that throws at init (a missing setting, an unresolvable module) stops the bench.
    for (const b of all) processMs(b.file);
    const empty: { wall: number; cpu: number }[] = [];
    const times = new Map<Bundle, { wall: number; cpu: number }[]>(all.map((b) => [b, []]));
    for (let r = 0; r < RUNS; r++) {
      empty.push(processMs());
      for (const b of all) times.get(b)!.push(processMs(b.file));
      if ((r + 1) % 5 === 0) process.stderr.write(`  ${r + 1}/${RUNS} interleaved runs\n`);
    }
    const emptyWall = median(empty.map((t) => t.wall));
    const emptyCpu = median(empty.map((t) => t.cpu));
    const rows = all.map((b) => {
      const t = times.get(b)!;
      return {
        fn: b.fn,
        variant: b.variant,
        bytes: b.bytes,
        gzipBytes: b.gzipBytes,
        initMsAboveEmptyNode: +(median(t.map((x) => x.wall)) - emptyWall).toFixed(1),
        initCpuMsAboveEmptyNode: +(median(t.map((x) => x.cpu)) - emptyCpu).toFixed(1),
      };
    });
    console.log(
      `empty node process: ${emptyWall.toFixed(1)} ms wall, ${emptyCpu.toFixed(1)} ms CPU (medians of ${RUNS}); ` +
        'init = the process that loads the bundle - the empty one',
    );
    console.log('function           | bundle                  | size       | gzip       | init, wall | init, CPU');
    for (const r of rows)
      console.log(
        `${r.fn.padEnd(18)} | ${r.variant.padEnd(23)} | ${kib(r.bytes).padStart(10)} | ${kib(r.gzipBytes).padStart(10)} | ` +
          `${r.initMsAboveEmptyNode.toFixed(1).padStart(7)} ms | ${r.initCpuMsAboveEmptyNode.toFixed(1).padStart(6)} ms`,
      );
    const doc = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      root: ROOT,
      runs: RUNS,
      emptyNodeMsMedian: +emptyWall.toFixed(1),
      emptyNodeCpuMsMedian: +emptyCpu.toFixed(1),
      bundles: rows,
      totalSeconds: +((Date.now() - started) / 1000).toFixed(1),
    };
    writeFileSync(join(REPO_ROOT, '.bench', 'cold-start.json'), `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`wrote .bench/cold-start.json (${doc.totalSeconds} s)`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runAsMain(BENCH_COLD_START_COMMAND, (values) => {
    main(intOption(values.runs, 'runs', 1) ?? 15, resolve(values.root ?? REPO_ROOT));
    return 0;
  });
}
