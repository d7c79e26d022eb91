/**
 * The one definition of how our Lambda functions are bundled: entry points, runtime target and esbuild options.
 * The constructs bundle with it at synth time (esbuild's API, in process: no `npx` per function) and the SBOM step
 * (`npm run sbom`) rebuilds the same bundles from `esbuildOptions(name)`, so what an SBOM describes is what
 * `cdk synth` ships.
 */
import * as path from 'node:path';
import { AssetHashType, DockerImage, ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { BuildOptions, buildSync } from 'esbuild';

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
 * Left out of every bundle: the Node.js 24 runtime provides AWS SDK v3 and its Smithy packages (what NodejsFunction
 * leaves out with the `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` flag on).
 */
export const LAMBDA_EXTERNALS: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/** The bundle's file name inside the asset, and so the handler's module. */
const BUNDLE_FILE = 'index.js';

/**
 * esbuild `build()` options for one function, without the output location (set `outfile` or `outdir`): the same
 * bundle NodejsFunction built with `--bundle --target=node24 --platform=node --minify --external:...`.
 */
export function esbuildOptions(name: LambdaName): BuildOptions {
  return {
    entryPoints: [LAMBDA_ENTRIES[name]],
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: false,
    external: [...LAMBDA_EXTERNALS],
    // Module paths inside the bundle are relative to this directory: keep them independent of the caller's cwd.
    absWorkingDir: REPO_ROOT,
    logLevel: 'warning',
  };
}

/**
 * Bundles one function into the asset directory with esbuild's API in this process. Its data properties (name and
 * options) are part of CDK's asset cache key, so each function gets its own asset.
 */
class EsbuildLocalBundling implements ILocalBundling {
  readonly options: BuildOptions;

  constructor(readonly name: LambdaName) {
    this.options = esbuildOptions(name);
  }

  tryBundle(outputDir: string): boolean {
    buildSync({ ...this.options, outfile: path.join(outputDir, BUNDLE_FILE) });
    return true;
  }
}

/**
 * The code asset of one function: bundled locally by esbuild (never Docker), hashed by its output, so an unchanged
 * bundle keeps its asset hash.
 */
export function lambdaCode(name: LambdaName): lambda.Code {
  return lambda.Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled: local bundling either succeeds or throws esbuild's error.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      local: new EsbuildLocalBundling(name),
    },
  });
}

/** The NodejsFunction props that bundle one of our functions, from any working directory. */
export function lambdaCodeProps(name: LambdaName) {
  return {
    code: lambdaCode(name),
    handler: `${path.basename(BUNDLE_FILE, '.js')}.handler`,
    runtime: LAMBDA_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
  } satisfies Partial<nodejs.NodejsFunctionProps>;
}
