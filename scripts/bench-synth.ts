/**
 * `npm run bench:synth`: wall time and peak memory of a full synth (all six policy packs) for the default config
 * and for 1, 10 and 50 models, the share of synth time the policy packs take (same synth with packs off), and the
 * extra cost of aws-cdk-lib's built-in CloudFormation validation plugin (off by default here; MLOPS_CFN_VALIDATE=true). Each run is a fresh
 * process; figures are medians of `--runs` (default 3). Then the cost of bundling one function: esbuild's API in
 * process (what synth does) against the `npx --no-install esbuild` call NodejsFunction made before, interleaved.
 * Results also go to .bench/synth.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_ENTRIES, LambdaName, REPO_ROOT, esbuildOptions } from '../lib/constructs/lambda-bundling';
import { defaultConfigDocument } from '../test/support/app';
import { intOption, parseOrExit } from '../lib/cli/args';

interface Sample {
  loadMs: number;
  buildMs: number;
  synthMs: number;
  maxRssMb: number;
  templates: number;
  failed: boolean;
  wallMs: number;
}

const args = parseOrExit(
  {
    command: 'npm run bench:synth --',
    summary:
      'Synth wall time, peak memory, policy-pack share and CloudFormation-validation cost; writes .bench/synth.json.',
    options: {
      runs: { type: 'string', valueName: '<n>', description: 'runs per case; figures are medians (default 3)' },
    },
  },
  process.argv.slice(2),
);
const runs = intOption(args.runs, 'runs', 1) ?? 3;
const work = mkdtempSync(join(tmpdir(), 'bench-synth-'));

function configWithModels(n: number | 'default'): string {
  const doc = defaultConfigDocument() as { models: { name: string }[] };
  if (n !== 'default') {
    const template = doc.models[0]!;
    doc.models = Array.from({ length: n }, (_, i) => ({
      ...structuredClone(template),
      name: `model-${String(i + 1).padStart(2, '0')}`,
    }));
    (doc.models as unknown as { image: { repository: string } }[]).forEach(
      (m, i) => (m.image.repository = `model-${String(i + 1).padStart(2, '0')}`),
    );
  }
  const file = join(work, `config-${n}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function once(config: string, packs: 'on' | 'off', env: NodeJS.ProcessEnv = {}): Sample {
  const outdir = mkdtempSync(join(work, 'out-'));
  const start = performance.now();
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'bench', 'synth-once.ts'), config, outdir, packs],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallMs = Math.round(performance.now() - start);
  rmSync(outdir, { recursive: true, force: true });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{'))
    throw new Error(`synth run failed (exit ${res.status}):\n${res.stderr.slice(-2000)}`);
  return { ...(JSON.parse(line) as Omit<Sample, 'wallMs'>), wallMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(config: string, packs: 'on' | 'off', env: NodeJS.ProcessEnv = {}) {
  const samples = Array.from({ length: runs }, () => once(config, packs, env));
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    synthMs: median(samples.map((s) => s.synthMs)),
    buildMs: median(samples.map((s) => s.buildMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
    maxRssMb: Math.max(...samples.map((s) => s.maxRssMb)),
    templates: samples[0]!.templates,
    failed: samples.some((s) => s.failed),
  };
}

const results: Record<string, unknown>[] = [];
const cases: (number | 'default')[] = ['default', 1, 10, 50];
console.log(`bench:synth — ${runs} run(s) per case, fresh process each, 2 environments per config`);
console.log(
  'case      | stacks | wall ms | load | build | synth (all packs) | synth (no packs) | packs share | built-in CFN validate | peak RSS MB',
);
for (const c of cases) {
  const config = configWithModels(c);
  process.stderr.write(`  measuring ${c} ...\n`);
  const withPacks = measure(config, 'on');
  const noPacks = measure(config, 'off');
  const withBuiltin = measure(config, 'on', { MLOPS_CFN_VALIDATE: 'true' });
  if (withPacks.failed) throw new Error(`synth of case ${c} reported findings: the benchmark config must be clean`);
  const packsShare = (withPacks.synthMs - noPacks.synthMs) / withPacks.synthMs;
  const builtinMs = withBuiltin.synthMs - withPacks.synthMs;
  const row = {
    case: c,
    stacks: withPacks.templates,
    wallMs: withPacks.wallMs,
    loadMs: withPacks.loadMs,
    buildMs: withPacks.buildMs,
    synthMs: withPacks.synthMs,
    synthNoPacksMs: noPacks.synthMs,
    packsShare: Number(packsShare.toFixed(3)),
    builtinCfnValidateMs: builtinMs,
    maxRssMb: withPacks.maxRssMb,
  };
  results.push(row);
  console.log(
    `${String(c).padEnd(9)} | ${String(row.stacks).padStart(6)} | ${String(row.wallMs).padStart(7)} | ${String(row.loadMs).padStart(4)} | ${String(row.buildMs).padStart(5)} | ${String(row.synthMs).padStart(17)} | ${String(row.synthNoPacksMs).padStart(16)} | ${(packsShare * 100).toFixed(1).padStart(10)}% | ${String(builtinMs).padStart(21)} | ${String(row.maxRssMb).padStart(11)}`,
  );
}
/** Bundling one function: in process (esbuild's API) against `npx --no-install esbuild`, same options, interleaved. */
function bundlingCost() {
  const api: number[] = [];
  const npx: number[] = [];
  for (let r = 0; r < Math.max(runs, 3); r++)
    for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      const opts = esbuildOptions(name);
      let t = performance.now();
      buildSync({ ...opts, outfile: join(work, `api-${name}.js`) });
      api.push(performance.now() - t);
      t = performance.now();
      execFileSync(
        'npx',
        [
          '--no-install',
          'esbuild',
          '--bundle',
          LAMBDA_ENTRIES[name],
          `--target=${opts.target}`,
          '--platform=node',
          `--outfile=${join(work, `npx-${name}.js`)}`,
          '--minify',
          ...(opts.external ?? []).map((e) => `--external:${e}`),
          '--log-level=warning',
        ],
        { cwd: REPO_ROOT },
      );
      npx.push(performance.now() - t);
    }
  return { esbuildApiMsMedian: Math.round(median(api)), npxEsbuildMsMedian: Math.round(median(npx)) };
}
const bundling = bundlingCost();
console.log(
  `bundling one function: esbuild API in process ${bundling.esbuildApiMsMedian} ms, ` +
    `npx --no-install esbuild ${bundling.npxEsbuildMsMedian} ms (medians)`,
);
mkdirSync('.bench', { recursive: true });
writeFileSync(
  join('.bench', 'synth.json'),
  JSON.stringify({ date: new Date().toISOString(), runs, results, bundling }, null, 2),
);
rmSync(work, { recursive: true, force: true });
console.log('written .bench/synth.json');
