#!/usr/bin/env node
/**
 * CDK entry: load and validate the config once, build one Stage per environment, register the policy packs.
 * `npx cdk synth` (default config from cdk.json) or `npx cdk synth -c config=path/to/config.json`.
 */
import { App } from 'aws-cdk-lib';
// The package's own entry point, as an app that installed it would import it.
import {
  buildApp,
  builtinCfnValidation,
  ConfigError,
  configFileArgument,
  failOnOpenWarnings,
  loadConfig,
} from '../lib';

const app = new App({ builtinCloudFormationValidation: builtinCfnValidation() });
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
// Warnings fail synth too (the CLI alone fails only on errors).
process.exitCode = failOnOpenWarnings(assembly.directory) || process.exitCode;
