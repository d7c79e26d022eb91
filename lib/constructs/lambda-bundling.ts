/**
 * The one definition of how our Lambda functions are bundled: entry points, runtime target and esbuild options.
 * The constructs bundle with it at synth time and the SBOM step (`npm run sbom`) rebuilds the same bundles from it,
 * so what an SBOM describes is what `cdk synth` ships.
 */
import * as path from 'node:path';
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

/** Bundling options shared by every function (local esbuild; never Docker). */
export const LAMBDA_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: false,
  target: ESBUILD_TARGET,
  forceDockerBundling: false,
};

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
