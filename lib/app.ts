import { App, IStackSynthesizer, Tags } from 'aws-cdk-lib';
import { compliancePolicy } from './config/loader';
import { EnvironmentConfig, MlopsConfig } from './config/schema';
import { registerPolicyPacks } from './nag/packs';
import { addGithubOidcStacks } from './stacks/github-oidc-stack';
import { MlopsEnvironment, MlopsStage } from './stacks/mlops-environment';
import { PipelineStack } from './stacks/pipeline-stack';
import { mostSensitive } from './stacks/platform-stack';
import { TAGS } from '../core/policy/facts';

export interface BuildOptions {
  /**
   * Synthesizer for every stack (tests deploying to the local emulator use one without the bootstrap version rule).
   * @default - DefaultStackSynthesizer
   */
  readonly synthesizer?: () => IStackSynthesizer;
  /**
   * Register the policy packs.
   * @default true
   */
  readonly policyPacks?: boolean;
  /**
   * The config file the app was given (`-c config=<file>`), relative to the repository: the pipeline's synth step
   * synthesizes with the same one.
   * @default - the default config embedded in cdk.json
   */
  readonly configFile?: string;
}

/**
 * Builds the whole app from a validated config: one environment (platform + model stacks) each, policy packs on the
 * app. With a `pipeline` block the environments are the pipeline's stages (same paths and templates) and the
 * PipelineStack delivers them; without one they are plain constructs deployed with `cdk deploy`.
 */
export function buildApp(app: App, config: MlopsConfig, opts: BuildOptions = {}) {
  const policy = compliancePolicy(config);
  const packs = (opts.policyPacks ?? true) ? registerPolicyPacks(app, { policy }) : [];
  const props = (environment: EnvironmentConfig) => ({
    config,
    environment,
    policy,
    ...(opts.synthesizer ? { synthesizer: opts.synthesizer } : {}),
  });
  if (!config.pipeline) {
    const environments = config.environments.map((e) => new MlopsEnvironment(app, e.name, props(e)));
    return { policy, packs, environments, githubOidc: addGithubOidcStacks(app, config) };
  }
  const stages = config.environments.map((e) => new MlopsStage(app, e.name, props(e)));
  const pipeline = new PipelineStack(app, 'Pipeline', {
    env: { account: config.pipeline.account, region: config.pipeline.region },
    stackName: `${config.projectName}-pipeline`,
    description: `${config.projectName} delivery pipeline: ${config.pipeline.repository}@${config.pipeline.branch} to ${config.environments.map((e) => e.name).join(', ')}`,
    terminationProtection: true,
    config,
    pipeline: config.pipeline,
    stages,
    ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}),
  });
  for (const stack of [pipeline, ...pipeline.regionStacks]) {
    for (const [k, v] of Object.entries(config.tags)) Tags.of(stack).add(k, v);
    Tags.of(stack).add('Project', config.projectName);
    // Artifacts hold the synthesized environments and their reports: classified like the most sensitive model.
    Tags.of(stack).add(TAGS.DATA_CLASSIFICATION, mostSensitive(config));
  }
  return { policy, packs, environments: stages, pipeline, githubOidc: addGithubOidcStacks(app, config) };
}

/**
 * aws-cdk-lib's own CloudFormation validation plugin runs on every synth unless turned off, and measured most of
 * the synth time (`npm run bench:synth`). Its errors are only warnings by default, and CI runs cfn-lint over every
 * template anyway, so it is off unless MLOPS_CFN_VALIDATE=true.
 */
export function builtinCfnValidation(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MLOPS_CFN_VALIDATE === 'true';
}
