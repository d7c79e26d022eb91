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

/** cdk.json context without the embedded config: the feature flags every test app must run with. */
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

export function newApp(outdir = mkdtempSync(join(tmpdir(), 'mlops-test-'))): App {
  return new App({ outdir, context: featureFlags(), builtinCloudFormationValidation: false });
}

export function buildTestApp(config: MlopsConfig | unknown = defaultConfigDocument(), opts: BuildOptions = {}) {
  const app = newApp();
  // parseConfig is idempotent: a parsed config parses to itself.
  const cfg = parseConfig(config);
  const built = buildApp(app, cfg, opts);
  return { app, config: cfg, ...built };
}
