import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import {
  BUNDLING_SKIPPED_MARKER,
  ESBUILD_TARGET,
  LAMBDA_ENTRIES,
  LAMBDA_RUNTIME,
  LambdaName,
  REPO_ROOT,
  esbuildOptions,
  lambdaCodeProps,
} from '../../lib/constructs/lambda-bundling';
import { featureFlags, testContext } from '../support/app';

const NAMES = Object.keys(LAMBDA_ENTRIES) as LambdaName[];

/** Synthesizes one stack with every function built by `props`; returns each function's asset hash and bundle. */
function synthFunctions(props: (name: LambdaName) => nodejs.NodejsFunctionProps) {
  const outdir = mkdtempSync(join(tmpdir(), 'lambda-bundling-'));
  const app = new App({ outdir, context: featureFlags() });
  const stack = new Stack(app, 'Functions');
  const fns = NAMES.map((name) => [name, new nodejs.NodejsFunction(stack, name, props(name))] as const);
  app.synth();
  return Object.fromEntries(
    fns.map(([name, fn]) => {
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      const hash = (cfn.code as { s3Key: string }).s3Key.replace(/\.zip$/, '');
      const assetDir = join(outdir, `asset.${hash}`);
      return [
        name,
        { hash, handler: cfn.handler, files: readdirSync(assetDir), bundle: readFileSync(join(assetDir, 'index.js')) },
      ];
    }),
  );
}

/** What the functions were bundled with before: NodejsFunction's own bundling, `npx --no-install esbuild` per function. */
const previousPath = (name: LambdaName): nodejs.NodejsFunctionProps => ({
  entry: LAMBDA_ENTRIES[name],
  projectRoot: REPO_ROOT,
  depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
  handler: 'handler',
  runtime: LAMBDA_RUNTIME,
  architecture: lambda.Architecture.ARM_64,
  bundling: { minify: true, sourceMap: false, target: ESBUILD_TARGET, forceDockerBundling: false },
});

describe('Lambda bundling', () => {
  it('builds byte-identical bundles, asset hashes and handlers to the previous npx esbuild path, without spawning npx', () => {
    // GIVEN the previous bundling path (NodejsFunction running `npx --no-install esbuild` per function)
    const before = synthFunctions(previousPath);
    // WHEN the functions are bundled in process by esbuild's API, with no PATH to find npx (or any esbuild) on
    const path = process.env.PATH;
    process.env.PATH = '';
    let after: ReturnType<typeof synthFunctions>;
    try {
      after = synthFunctions((name) => ({ ...lambdaCodeProps(name) }));
    } finally {
      process.env.PATH = path;
    }
    // THEN every bundle is the same to the byte, so assets (and deployments) do not change
    for (const name of NAMES) {
      expect(after[name]!.files).toEqual(['index.js']);
      expect(after[name]!.bundle.equals(before[name]!.bundle)).toBe(true);
      expect(after[name]!.hash).toBe(before[name]!.hash);
      expect(after[name]!.handler).toBe(before[name]!.handler);
    }
    // AND each function has its own asset
    expect(new Set(NAMES.map((n) => after[n]!.hash)).size).toBe(NAMES.length);
  });

  it('gives esbuild options that locate the entry from any working directory and leave the runtime SDK out', () => {
    for (const name of NAMES) {
      const opts = esbuildOptions(name);
      expect(opts).toMatchObject({
        entryPoints: [LAMBDA_ENTRIES[name]],
        bundle: true,
        platform: 'node',
        target: ESBUILD_TARGET,
        absWorkingDir: REPO_ROOT,
      });
      expect(opts.external).toEqual(expect.arrayContaining(['@aws-sdk/*', '@smithy/*']));
      expect(opts.outfile).toBeUndefined();
    }
  });
});

describe('Lambda bundling switch (aws:cdk:bundling-stacks)', () => {
  /** One stack `Functions` with both functions, under the given context; returns its Lambda functions' Code. */
  function functionCode(context: Record<string, unknown>) {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'lambda-switch-')), context });
    const stack = new Stack(app, 'Functions');
    for (const name of NAMES) new lambda.Function(stack, name, lambdaCodeProps(name));
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    return Object.values(fns).map((r) => r.Properties.Code as { ZipFile?: string; S3Key?: string });
  }

  it('uses a placeholder that names itself and fails when invoked, when the stack is not bundled', async () => {
    // GIVEN the test context, which bundles no stack
    // WHEN both functions are synthesized
    const codes = functionCode(testContext());
    // THEN each function's code is inline placeholder code, not an asset
    expect(codes).toHaveLength(NAMES.length);
    for (const code of codes) {
      expect(code.S3Key).toBeUndefined();
      expect(code.ZipFile).toContain(BUNDLING_SKIPPED_MARKER);
      // AND running it throws rather than pretending to work
      const exports: { handler?: () => Promise<unknown> } = {};
      runInNewContext(code.ZipFile!, { exports });
      await expect(exports.handler!()).rejects.toThrow(BUNDLING_SKIPPED_MARKER);
    }
  });

  it('uses a placeholder when only other stacks are bundled (cdk deploy of another stack)', () => {
    // GIVEN a deploy that selects only stack Other
    // WHEN stack Functions is synthesized
    const codes = functionCode({ ...featureFlags(), 'aws:cdk:bundling-stacks': ['Other'] });
    // THEN it carries placeholders
    for (const code of codes) expect(code.ZipFile).toContain(BUNDLING_SKIPPED_MARKER);
  });

  it('bundles when the stack is selected for bundling, as cdk synth does by default', () => {
    // GIVEN the cdk.json flags alone (no bundling-stacks context: every stack bundles)
    // WHEN both functions are synthesized
    const codes = functionCode(testContext(true));
    // THEN each has an S3 asset and no placeholder
    for (const code of codes) {
      expect(code.ZipFile).toBeUndefined();
      expect(code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    }
  });
});
