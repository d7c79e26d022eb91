import { App, IStackSynthesizer } from 'aws-cdk-lib';
import { compliancePolicy } from './config/loader';
import { MlopsConfig } from './config/schema';
import { registerPolicyPacks } from './nag/packs';
import { addGithubOidcStacks } from './stacks/github-oidc-stack';
import { MlopsEnvironment } from './stacks/mlops-environment';

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
}

/** Builds the whole app from a validated config: one environment (platform + model stacks) each, policy packs on the app. */
export function buildApp(app: App, config: MlopsConfig, opts: BuildOptions = {}) {
  const policy = compliancePolicy(config);
  const packs = (opts.policyPacks ?? true) ? registerPolicyPacks(app, { policy }) : [];
  const environments = config.environments.map(
    (environment) =>
      new MlopsEnvironment(app, environment.name, {
        config,
        environment,
        policy,
        ...(opts.synthesizer ? { synthesizer: opts.synthesizer } : {}),
      }),
  );
  const githubOidc = addGithubOidcStacks(app, config);
  return { policy, packs, environments, githubOidc };
}

/**
 * aws-cdk-lib's own CloudFormation validation plugin runs on every synth unless turned off, and measured most of
 * the synth time (`npm run bench:synth`). Its errors are only warnings by default, and CI runs cfn-lint over every
 * template anyway, so it is off unless MLOPS_CFN_VALIDATE=true.
 */
export function builtinCfnValidation(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MLOPS_CFN_VALIDATE === 'true';
}
