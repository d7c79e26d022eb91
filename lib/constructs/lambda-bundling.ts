/**
 * The one definition of how our Lambda functions are bundled: entry points, runtime target and esbuild options.
 * The constructs bundle with it at synth time and the SBOM step (`npm run sbom`) rebuilds the same bundles from it,
 * so what an SBOM describes is what `cdk synth` ships.
 */
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

export const REPO_ROOT = path.join(__dirname, '..', '..');

/** Lambda functions we ship, by name: the folder under `lambda/` and its entry file. */
export const LAMBDA_ENTRIES = {
  'compliance-checker': path.join(REPO_ROOT, 'lambda', 'compliance-checker', 'index.ts'),
  'drift-detector': path.join(REPO_ROOT, 'lambda', 'drift-detector', 'index.ts'),
} as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** The Lambda runtime every function runs on, and the matching esbuild target. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';

/**
 * Modules the Lambda Node.js runtime provides, so they are left out of every bundle (the SBOMs list them as
 * external components). The same list CDK picks for Node 18+ runtimes, written here so it does not hang on a
 * feature flag.
 */
export const LAMBDA_RUNTIME_MODULES = ['@aws-sdk/*', '@smithy/*'] as const;

/** Bundling options shared by every function (local esbuild; never Docker). */
export const LAMBDA_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: false,
  target: ESBUILD_TARGET,
  externalModules: [...LAMBDA_RUNTIME_MODULES],
  forceDockerBundling: false,
};

/**
 * The options for esbuild's `build()` API that produce the same bundle NodejsFunction makes from `LAMBDA_BUNDLING`
 * (`esbuild --bundle <entry> --target --platform=node --outfile=<dir>/index.js --minify --external:...`, run in
 * the project root). The caller adds where the bundle goes (`outfile: <dir>/index.js`, as NodejsFunction names it).
 */
export function esbuildOptions(name: LambdaName): BuildOptions {
  return {
    entryPoints: [LAMBDA_ENTRIES[name]],
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLING.target ?? ESBUILD_TARGET,
    minify: LAMBDA_BUNDLING.minify ?? false,
    sourcemap: LAMBDA_BUNDLING.sourceMap ?? false,
    external: [...(LAMBDA_BUNDLING.externalModules ?? [])],
    absWorkingDir: REPO_ROOT,
  };
}

/** The NodejsFunction props that locate and bundle one of our functions from any working directory. */
export function lambdaCodeProps(name: LambdaName) {
  return {
    entry: LAMBDA_ENTRIES[name],
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    handler: 'handler',
    runtime: LAMBDA_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    bundling: LAMBDA_BUNDLING,
  } satisfies Partial<nodejs.NodejsFunctionProps>;
}
