/** Builds the real app the way bin/mlops.ts does, for tests and benchmarks. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, BuildOptions } from '../../lib/app';
import { parseConfig } from '../../lib/config/loader';
import { MlopsConfig } from '../../lib/config/schema';

const ROOT = join(__dirname, '..', '..');
const CDK_JSON = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

/**
 * cdk.json context without the embedded config: the feature flags every test app must run with. An app made with
 * these alone bundles its Lambda functions, as `cdk synth` does (the deploy and SBOM tests rely on it); template
 * tests use `testContext()` / `newApp()`, which skip bundling.
 */
export function featureFlags(): Record<string, unknown> {
  const { ['mlops:defaultConfig']: _omit, ...flags } = CDK_JSON.context;
  return flags;
}

export function defaultConfigDocument(): unknown {
  return structuredClone(CDK_JSON.context['mlops:defaultConfig']);
}

export function largeConfigDocument(): unknown {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'large-config.json'), 'utf8'));
}

export interface TestAppOptions {
  /**
   * Bundle the Lambda functions, for the tests that read or prove the bundle. Template tests leave it off: each
   * function then gets a placeholder (lib/constructs/lambda-bundling.ts) and the app synthesizes without esbuild.
   * @default false
   */
  readonly bundling?: boolean;
}

/** CDK's switch for which stacks bundle their assets: none, unless a test asks for the bundle. */
/** CDK's standard switch that bundles no stack: Lambda code becomes a placeholder (see lambda-bundling.ts). */
export const SKIP_BUNDLING: Record<string, unknown> = { 'aws:cdk:bundling-stacks': [] };

export function testContext(bundling = false): Record<string, unknown> {
  return { ...featureFlags(), ...(bundling ? {} : SKIP_BUNDLING) };
}

export function newApp(outdir = mkdtempSync(join(tmpdir(), 'mlops-test-')), opts: TestAppOptions = {}): App {
  return new App({ outdir, context: testContext(opts.bundling), builtinCloudFormationValidation: false });
}

export function buildTestApp(
  config: MlopsConfig | unknown = defaultConfigDocument(),
  opts: BuildOptions = {},
  appOpts: TestAppOptions = {},
) {
  const app = newApp(undefined, appOpts);
  // parseConfig is idempotent: a parsed config parses to itself.
  const cfg = parseConfig(config);
  const built = buildApp(app, cfg, opts);
  return { app, config: cfg, ...built };
}
