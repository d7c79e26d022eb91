/**
 * The one definition of how our Lambda functions are bundled: entry points, runtime target and esbuild options.
 * The constructs bundle with it at synth time (esbuild's API, in process: no `npx` per function) and the SBOM step
 * (`npm run sbom`) rebuilds the same bundles from `esbuildOptions(name)`, so what an SBOM describes is what
 * `cdk synth` ships.
 *
 * Installed as a package (`npm run build`), there are no handler sources: `npm run build` writes each bundle with
 * the same options to `dist/lambda/<name>/index.js`, and the constructs ship that file as it is. esbuild is then
 * neither needed nor loaded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AssetHashType, CfnResource, DockerImage, ILocalBundling, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';

/**
 * The checkout (running from `lib/` sources) or the package's `dist/` (running compiled): the folder that holds
 * `lambda/<name>/`, either the handler sources or their prebuilt bundles.
 */
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
 * @internal
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
    // Loaded here, not at import: an installed package ships prebuilt bundles and has no esbuild.
    const { buildSync } = createRequire(__filename)('esbuild') as typeof import('esbuild');
    buildSync({ ...this.options, outfile: path.join(outputDir, BUNDLE_FILE) });
    return true;
  }
}

/** Where `npm run build` writes the bundle of one function, relative to REPO_ROOT (`dist/` in the package). */
export function prebuiltBundleDir(name: LambdaName, root: string = REPO_ROOT): string {
  return path.join(root, 'lambda', name);
}

/**
 * The code asset of one function: from a checkout, bundled locally by esbuild (never Docker), hashed by its output,
 * so an unchanged bundle keeps its asset hash; from the installed package, the prebuilt bundle as it is.
 */
function bundledAsset(name: LambdaName): lambda.AssetCode {
  if (!existsSync(LAMBDA_ENTRIES[name])) {
    const dir = prebuiltBundleDir(name);
    if (!existsSync(path.join(dir, BUNDLE_FILE))) {
      throw new Error(
        `${name}: neither its source (${LAMBDA_ENTRIES[name]}) nor its prebuilt bundle (${path.join(dir, BUNDLE_FILE)}) exists; run \`npm run build\` before packing the library`,
      );
    }
    return lambda.Code.fromAsset(dir);
  }
  return lambda.Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled: local bundling either succeeds or throws esbuild's error.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      local: new EsbuildLocalBundling(name),
    },
  });
}

/** The first words of the placeholder's code: what a template or a failed invocation shows when bundling was skipped. */
export const BUNDLING_SKIPPED_MARKER = 'MLOPS-BUNDLING-SKIPPED';

/**
 * Stands in for a bundle when the stack does not need one (`aws:cdk:bundling-stacks` leaves it out: `cdk deploy
 * -e other`, `cdk ls`, template tests). Inline code, not an asset: no S3 key that could be taken for a real bundle,
 * and a handler that fails loudly if it were ever deployed.
 */
function placeholderCode(name: LambdaName): lambda.InlineCode {
  return lambda.Code.fromInline(
    `// ${BUNDLING_SKIPPED_MARKER}: ${name} was synthesized without bundling (aws:cdk:bundling-stacks)\n` +
      `exports.handler = async () => { throw new Error('${BUNDLING_SKIPPED_MARKER}: ${name} is a placeholder, not its bundle'); };\n`,
  );
}

/**
 * Decides at bind time, when the stack is known, between the real bundle and the placeholder: CDK's own switch
 * (`Stack.bundlingRequired`) says whether this stack's assets are bundled in this run.
 */
class LambdaBundleCode extends lambda.Code {
  private bound?: lambda.Code;

  constructor(private readonly name: LambdaName) {
    super();
  }

  bind(scope: Construct): lambda.CodeConfig {
    this.bound ??= Stack.of(scope).bundlingRequired ? bundledAsset(this.name) : placeholderCode(this.name);
    return this.bound.bind(scope);
  }

  bindToResource(resource: CfnResource, options?: lambda.ResourceBindOptions): void {
    this.bound?.bindToResource(resource, options);
  }
}

/**
 * The code of one function: its esbuild bundle when the stack's assets are bundled (`cdk synth`, `cdk deploy` of
 * this stack), else a placeholder that cannot pass for it.
 */
export function lambdaCode(name: LambdaName): lambda.Code {
  return new LambdaBundleCode(name);
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
