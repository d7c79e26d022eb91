import { IStackSynthesizer, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { resolve } from 'node:path';
import { Construct } from 'constructs';
import { readBaselineFacts } from '../config/baseline-file';
import { EnvironmentConfig, MlopsConfig } from '../config/schema';
import { CompliancePolicy } from '../../core/policy/context';
import { TAGS } from '../../core/policy/facts';
import { ModelEndpointStack } from './model-endpoint-stack';
import { PlatformStack } from './platform-stack';

export interface MlopsEnvironmentProps {
  readonly config: MlopsConfig;
  readonly environment: EnvironmentConfig;
  readonly policy: CompliancePolicy;
  /**
   * Makes each stack's synthesizer.
   * @default - DefaultStackSynthesizer
   */
  readonly synthesizer?: () => IStackSynthesizer;
}

/** The stacks of one environment, however they are grouped (a construct for `cdk deploy`, a Stage for the pipeline). */
export interface EnvironmentStacks {
  readonly platform: PlatformStack;
  readonly modelStacks: ModelEndpointStack[];
}

/**
 * Builds one environment's PlatformStack and ModelEndpointStacks as direct children of `scope`, and tags them. The one
 * definition of an environment: MlopsEnvironment and MlopsStage both call it, so a stack has the same construct
 * path, logical ids and template whichever way it is deployed.
 */
function buildEnvironmentStacks(scope: Construct, props: MlopsEnvironmentProps): EnvironmentStacks {
  const { config, environment, policy } = props;
  const env = { account: environment.account, region: environment.region };
  const synth = () => (props.synthesizer ? { synthesizer: props.synthesizer() } : {});
  const base = `${config.projectName}-${environment.name}`;

  const platform = new PlatformStack(scope, 'Platform', {
    env,
    config,
    environment,
    policy,
    ...synth(),
    stackName: `${base}-platform`,
    description: `${config.projectName} MLOps platform for ${environment.name}: keys, buckets, repositories, alerts`,
    terminationProtection: environment.production,
  });
  const modelStacks: ModelEndpointStack[] = [];
  for (const model of config.models) {
    const stack = new ModelEndpointStack(scope, `Model-${model.name}`, {
      env,
      config,
      environment,
      model,
      platform,
      // The model card states the training data the baseline was built from (read by the config layer).
      ...(model.monitoring.baselineFile !== undefined
        ? { baseline: readBaselineFacts(resolve(model.monitoring.baselineFile)) }
        : {}),
      // With a pipeline, an environment behind a manual approval is deployed only after that approval.
      approvedByPipeline: config.pipeline !== undefined && environment.manualApproval,
      ...synth(),
      stackName: `${base}-${model.name}`,
      description: `${config.projectName} ${environment.name}: SageMaker endpoint for ${model.name}`,
      terminationProtection: environment.production,
    });
    stack.addStackDependency(platform);
    modelStacks.push(stack);
  }

  for (const [k, v] of Object.entries(config.tags)) Tags.of(scope).add(k, v);
  Tags.of(scope).add(TAGS.ENVIRONMENT, environment.name);
  Tags.of(scope).add('Project', config.projectName);
  return { platform, modelStacks };
}

/**
 * One environment: its PlatformStack and one ModelEndpointStack per model.
 *
 * A plain construct, not a Stage, so that the stacks are top-level in the cloud assembly: `cdk deploy 'staging/*'`
 * and `cdk synth` with no arguments see them. Used when the config has no pipeline; with a pipeline, the same
 * stacks are built by MlopsStage below (same construct paths, same templates).
 */
export class MlopsEnvironment extends Construct implements EnvironmentStacks {
  public readonly platform: PlatformStack;
  public readonly modelStacks: ModelEndpointStack[];

  constructor(scope: Construct, id: string, props: MlopsEnvironmentProps) {
    super(scope, id);
    ({ platform: this.platform, modelStacks: this.modelStacks } = buildEnvironmentStacks(this, props));
  }
}

export interface MlopsStageProps extends StageProps, MlopsEnvironmentProps {}

/**
 * The same environment as a deployable Stage, for CDK Pipelines. Its stacks are direct children of the stage, so
 * with the stage created under the app with the environment's name, construct paths (`staging/Platform/...`) and
 * stack names are those of MlopsEnvironment. The stage's env is the environment's account and region.
 */
export class MlopsStage extends Stage implements EnvironmentStacks {
  public readonly platform: PlatformStack;
  public readonly modelStacks: ModelEndpointStack[];
  /** The environment this stage deploys. */
  public readonly environmentConfig: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: MlopsStageProps) {
    super(scope, id, { env: { account: props.environment.account, region: props.environment.region }, ...props });
    this.environmentConfig = props.environment;
    ({ platform: this.platform, modelStacks: this.modelStacks } = buildEnvironmentStacks(this, props));
  }

  /** The SageMaker endpoints this stage deploys (the endpoint gate judges them after deployment). */
  public get endpointNames(): string[] {
    return this.modelStacks.map((s) => s.endpoint.endpointName);
  }
}
