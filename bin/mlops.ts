#!/usr/bin/env node
/**
 * CDK entry: load and validate the config once, build the environments (and the pipeline), register the policy
 * packs, synthesize, then let the policy gate judge the whole cloud assembly (lib/reports/gate.ts).
 * `npx cdk synth` (default config from cdk.json) or `npx cdk synth -c config=path/to/config.json`.
 */
import { App } from 'aws-cdk-lib';
// The package's own entry point, as an app that installed it would import it.
import {
  buildApp,
  builtinCfnValidation,
  clearGateFiles,
  ConfigError,
  configFileArgument,
  enforcePolicyGate,
  loadConfig,
} from '../lib';

const app = new App({ builtinCloudFormationValidation: builtinCfnValidation() });
clearGateFiles(app.outdir);
try {
  const config = loadConfig(app);
  buildApp(app, config, config.pipeline ? { configFile: configFileArgument(app) } : {});
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const assembly = app.synth();
// The CLI judges only the stacks it selected (not the stage stacks of a pipeline): the app judges them all.
process.exitCode = enforcePolicyGate(app, assembly).exitCode || process.exitCode;
