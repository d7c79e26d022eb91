/**
 * `npm run build`: the installable package in `dist/` (what `npm pack` ships, see `files` in package.json).
 *   dist/core/**, dist/lib/**        core/ and lib/ compiled to CommonJS + .d.ts (tsconfig.build.json)
 *   dist/lambda/<name>/index.js      each Lambda bundle, from `esbuildOptions(name)` (what `cdk synth` ships from a
 *                                    checkout), so an installed package needs neither the handler sources nor esbuild
 *   dist/terraform/modules/<module>  the Terraform module the CDK Terrain constructs call (its tests left out)
 * The compiled constructs find the last two where the sources find lambda/ and terraform/: two folders up.
 * Exit 0 built, 1 a step failed, 2 wrong arguments.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { CommandSpec, OptionSpec, runAsMain } from '../lib/cli/args';
import {
  LAMBDA_ENTRIES,
  LambdaName,
  REPO_ROOT,
  esbuildOptions,
  prebuiltBundleDir,
} from '../lib/constructs/lambda-bundling';

export const DIST = join(REPO_ROOT, 'dist');
const MODULE = join('terraform', 'modules', 'mlops-model-environment');

export const BUILD_PACKAGE_COMMAND = {
  command: 'npm run build --',
  summary:
    'Builds the installable package into dist/: core/ and lib/ compiled with .d.ts, the prebuilt Lambda bundles and the\nTerraform module.',
  options: {},
  epilogue: 'exit codes: 0 built; 1 a step failed; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function compile(): void {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status})`);
}

function bundle(name: LambdaName): string {
  const outfile = join(prebuiltBundleDir(name, DIST), 'index.js');
  buildSync({ ...esbuildOptions(name), outfile });
  return outfile;
}

function copyModule(): string {
  const to = join(DIST, MODULE);
  // The module's own tests and the local state of anyone who ran terraform in it are not the module.
  const skip = (src: string) =>
    !/[\\/](tests|\.terraform|terraform\.tfstate[^\\/]*|\.terraform\.lock\.hcl)$/.test(relative(REPO_ROOT, src));
  cpSync(join(REPO_ROOT, MODULE), to, { recursive: true, filter: skip });
  return to;
}

function main(): number {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  console.log('build: tsc -p tsconfig.build.json -> dist/core, dist/lib');
  compile();
  for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
    console.log(`build: Lambda ${name} -> ${relative(REPO_ROOT, bundle(name))}`);
  }
  console.log(`build: Terraform module -> ${relative(REPO_ROOT, copyModule())}`);
  return 0;
}

if (require.main === module) {
  runAsMain(BUILD_PACKAGE_COMMAND, main);
}
