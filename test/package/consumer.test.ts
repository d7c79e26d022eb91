/**
 * The package as a consumer gets it: `npm run build` and `npm pack`, the tarball installed into a fresh project
 * outside the repository (peers from the npm cache, as `npm install` would fetch them), and there, with the code
 * blocks of the README and docs/terraform.md as they are written:
 *   (a) the library example of "Two ways in" (ModelEndpoint with its drift monitor, cdk-nag's AwsSolutions pack and
 *       the MLOPS pack) synthesizes clean with the CDK CLI, and with `networkIsolation: false` (what the README
 *       says to try) `cdk synth` fails with the pack's finding;
 *   (b) the CDK Terrain example of "Terraform and CDK Terrain users" synthesizes the package's Terraform module and
 *       `terraform validate` accepts it, with the AWS provider from the local mirror.
 * The consumer code is TypeScript compiled against the package's .d.ts, with the classic `module: commonjs`
 * resolution (which needs `typesVersions` for the subpath entry points).
 */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTerraform, terraformOk } from '../terraform/terraform-cli';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The Terraform users' page: its CDK Terrain example is the one a reader copies. */
const TERRAFORM_DOC = readFileSync(join(ROOT, 'docs', 'terraform.md'), 'utf8');
/**
 * Bounds on what `npm pack` ships: compiled core/ and lib/, two Lambda bundles, the Terraform module, docs. The file
 * count follows the number of modules (one job per file: 317 after the structure issue); the test below also proves
 * no source, test or script is shipped, which is what the bound guards against.
 */
const MAX_TARBALL_BYTES = 1024 * 1024;
const MAX_TARBALL_FILES = 400;

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions & { cwd: string }): Run {
  const started = Date.now();
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000, ...opts });
  if (r.error) throw r.error;
  return {
    status: r.status ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    seconds: (Date.now() - started) / 1000,
  };
}

function ok(what: string, r: Run): Run {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  console.log(`${what}: ${r.seconds.toFixed(1)} s`);
  return r;
}

const installedVersion = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** The first ```ts block of the README section under `heading`: the code a reader copies. */
function readmeCode(heading: string): string {
  const section = README.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const code = section && firstTsBlock(section);
  if (!code) throw new Error(`README.md has no \`\`\`ts block under "## ${heading}"`);
  return code;
}

function firstTsBlock(markdown: string): string | undefined {
  return /^```ts\n([\s\S]*?)^```$/m.exec(markdown)?.[1];
}

/** A consumer's TypeScript settings: strict, the classic CommonJS resolution of `cdk init` apps. */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    lib: ['ES2022'],
    types: [],
    strict: true,
    skipLibCheck: true,
    outDir: '.',
  },
  files: ['app.ts', 'app-insecure.ts', 'main.ts'],
};

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string }[];
}

describe('the packed package in a fresh consumer project', () => {
  let work: string;
  let project: string;
  let packed: PackResult;
  const node = (script: string, args: readonly string[] = [], cwd = project) =>
    run(process.execPath, [script, ...args], { cwd, env: { ...process.env, CI: 'true' } });
  const cdk = (...args: string[]) =>
    node(join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), [...args, '--no-notices', '--no-version-reporting']);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mlops-consumer-'));
    ok('npm run build', run('npm', ['run', 'build'], { cwd: ROOT }));
    const pack = ok(
      'npm pack',
      run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT }),
    );
    packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;
    console.log(
      `tarball ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KiB packed, ` +
        `${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files`,
    );

    project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2));
    // The peers at the versions this repository tests with, so the npm cache has them.
    const peers = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'cdktn'].map((p) => `${p}@${installedVersion(p)}`);
    ok(
      'npm install (tarball + peers, --prefer-offline)',
      run(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          join(work, packed.filename),
          ...peers,
        ],
        { cwd: project },
      ),
    );
    const app = readmeCode('Two ways in');
    const insecure = app.replace(/^(\s*)instanceCount: 2,$/m, '$1instanceCount: 2,\n$1networkIsolation: false,');
    expect(insecure).not.toBe(app);
    writeFileSync(join(project, 'app.ts'), app);
    writeFileSync(join(project, 'app-insecure.ts'), insecure);
    const cdktnApp = firstTsBlock(TERRAFORM_DOC);
    if (!cdktnApp) throw new Error('docs/terraform.md has no ```ts block');
    writeFileSync(join(project, 'main.ts'), cdktnApp);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    copyFileSync(join(ROOT, 'baselines', 'fraud-xgb.json'), join(project, 'baseline.json'));
    // What `cdk init` writes: the app command and aws-cdk-lib's recommended feature flags; nothing of ours.
    const flags = JSON.parse(
      readFileSync(join(project, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.js', context: flags }, null, 2));
    ok('tsc (consumer code against the .d.ts)', node(join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')));
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball is small and holds what consumers need, and no sources or tests', () => {
    const paths = packed.files.map((f) => f.path);
    expect(packed.size).toBeLessThan(MAX_TARBALL_BYTES);
    expect(packed.entryCount).toBeLessThan(MAX_TARBALL_FILES);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/nag/index.d.ts',
        'dist/core/policy/index.d.ts',
        'dist/lib/cdktf/index.d.ts',
        'dist/lambda/drift-detector/index.js',
        'dist/lambda/compliance-checker/index.js',
        'dist/terraform/modules/mlops-model-environment/variables.tf',
      ]),
    );
    expect(paths.filter((p) => /(^|\/)(test|tests|bin|scripts)\/|\.ts$(?<!\.d\.ts)|cdk\.json$/.test(p))).toEqual([]);
  });

  test("(a) the README's library example synthesizes clean with cdk-nag AwsSolutions and the MLOPS pack", () => {
    // GIVEN the README's app WHEN `cdk synth` runs
    const r = cdk('synth', '--quiet');
    // THEN it exits 0 with no finding of either pack, and the prebuilt drift detector bundle is the asset
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout + r.stderr).not.toMatch(/MLOPS-|AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(project, 'cdk.out', 'FraudModel.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::SageMaker::Endpoint', 'AWS::Lambda::Function']));
    const model = Object.values(template.Resources).find((r) => r.Type === 'AWS::SageMaker::Model')!;
    expect(model.Properties.EnableNetworkIsolation).toBe(true);
  });

  test('(a) an insecure prop fails cdk synth with the MLOPS finding', () => {
    // GIVEN the same app with network isolation off WHEN `cdk synth` runs
    const r = cdk('synth', '--quiet', '--app', 'node app-insecure.js', '--output', 'cdk.out.insecure');
    // THEN it exits non-zero and names the rule
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/MLOPS-SM-2/);
  });

  test("(b) the README's CDK Terrain example synthesizes the module and terraform validates it", () => {
    requireTerraform();
    // GIVEN the README's cdktn app WHEN synthesized
    ok('node main.js (cdktn synth)', node('main.js'));
    const stackDir = join(project, 'cdktf.out', 'stacks', 'model');
    // THEN the module is copied in as an asset and terraform finds the configuration valid
    const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as {
      module: Record<string, { source: string }>;
    };
    expect(Object.values(json.module)[0]!.source).toMatch(/^\.\/assets\//);
    terraformOk(stackDir, ['init', '-backend=false', '-input=false', '-no-color']);
    expect(terraformOk(stackDir, ['validate', '-no-color'])).toContain('Success! The configuration is valid.');
  });
});
