import { IStackSynthesizer, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentConfig, MlopsConfig } from '../config/schema';
import { CompliancePolicy } from '../policy/context';
import { TAGS } from '../policy/facts';
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

/**
 * One environment: its PlatformStack and one ModelEndpointStack per model.
 *
 * A plain construct, not a Stage, so that the stacks are top-level in the cloud assembly: `cdk synth` with no
 * arguments selects (and so validates, failing on findings) only top-level stacks; stacks inside a Stage would
 * be synthesized but never checked. Pipelines that want a Stage use MlopsStage below, which wraps this.
 */
export class MlopsEnvironment extends Construct {
  public readonly platform: PlatformStack;
  public readonly modelStacks: ModelEndpointStack[] = [];

  constructor(scope: Construct, id: string, props: MlopsEnvironmentProps) {
    super(scope, id);
    const { config, environment, policy } = props;
    const env = { account: environment.account, region: environment.region };
    const synth = () => (props.synthesizer ? { synthesizer: props.synthesizer() } : {});
    const base = `${config.projectName}-${environment.name}`;

    this.platform = new PlatformStack(this, 'Platform', {
      env,
      config,
      environment,
      policy,
      ...synth(),
      stackName: `${base}-platform`,
      description: `${config.projectName} MLOps platform for ${environment.name}: keys, buckets, repositories, alerts`,
      terminationProtection: environment.production,
    });
    for (const model of config.models) {
      const stack = new ModelEndpointStack(this, `Model-${model.name}`, {
        env,
        config,
        environment,
        model,
        platform: this.platform,
        ...synth(),
        stackName: `${base}-${model.name}`,
        description: `${config.projectName} ${environment.name}: SageMaker endpoint for ${model.name}`,
        terminationProtection: environment.production,
      });
      stack.addStackDependency(this.platform);
      this.modelStacks.push(stack);
    }

    for (const [k, v] of Object.entries(config.tags)) Tags.of(this).add(k, v);
    Tags.of(this).add(TAGS.ENVIRONMENT, environment.name);
    Tags.of(this).add('Project', config.projectName);
  }
}

export interface MlopsStageProps extends StageProps, MlopsEnvironmentProps {}

/** The same environment as a deployable Stage, for CDK Pipelines. */
export class MlopsStage extends Stage {
  public readonly environment: MlopsEnvironment;

  constructor(scope: Construct, id: string, props: MlopsStageProps) {
    super(scope, id, props);
    this.environment = new MlopsEnvironment(this, 'Environment', props);
  }
}
