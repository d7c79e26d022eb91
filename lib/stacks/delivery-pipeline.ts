/**
 * The CDK Pipelines CodePipeline the PipelineStack builds on, built just in time with hooks around the build, and the
 * aws-cdk CLI version its self-mutation step installs.
 */
import { createRequire } from 'node:module';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';

/** The version of the aws-cdk CLI package this repository installs (a devDependency). */
export function installedCdkCliVersion(): string {
  try {
    return (createRequire(__filename)('aws-cdk/package.json') as { version: string }).version;
  } catch (err) {
    throw new Error(
      `PipelineStack: cannot read the installed aws-cdk CLI version (${(err as Error).message}); install aws-cdk as a devDependency (npm ci) or pass cliVersion`,
    );
  }
}

export interface DeliveryPipelineProps extends pipelines.CodePipelineProps {
  /** Called once at the start of the just-in-time build: adds the stages. */
  readonly beforeBuild: () => void;
  /** Called once, right after the underlying CodePipeline has been built. */
  readonly afterBuild: () => void;
}

/**
 * CDK Pipelines' CodePipeline, built just in time (at synthesis, by CDK Pipelines' own aspect) with hooks around the
 * build. `addStage()` synthesizes a stage on the spot, and a stage synthesized while the app is still being built
 * keeps a stale template of anything changed later (escape hatches, aspects): the MLOPS pack, which reads the
 * written templates, would then judge that stale copy. So stages are added at build time, not in the constructor.
 */
export class DeliveryPipeline extends pipelines.CodePipeline {
  private readonly hooks: Pick<DeliveryPipelineProps, 'beforeBuild' | 'afterBuild'>;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    const { beforeBuild, afterBuild, ...rest } = props;
    super(scope, id, rest);
    this.hooks = { beforeBuild, afterBuild };
  }

  protected override doBuildPipeline(): void {
    this.hooks.beforeBuild();
    super.doBuildPipeline();
    this.hooks.afterBuild();
  }
}
