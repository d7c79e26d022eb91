import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { GateParameters } from '../../core/contracts/pipeline-gate';

export interface ComplianceGateStepProps {
  /** The environment's compliance checker (in the target account). */
  readonly functionArn: string;
  /** The gate role in the target account the action runs as; it may invoke only the checker. */
  readonly roleArn: string;
  /** What the checker judges; becomes the action's UserParameters. */
  readonly parameters: GateParameters;
}

/**
 * A compliance gate: a CodePipeline Lambda invoke action that runs the environment's compliance checker in the
 * target account. The checker answers PutJobSuccessResult or PutJobFailureResult itself; a gate that cannot decide
 * (no role, no function, scan pending, access denied) fails the action, so the pipeline stops (fails closed).
 */
export class ComplianceGateStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(
    id: string,
    private readonly props: ComplianceGateStepProps,
  ) {
    super(id);
  }

  public produceAction(
    stage: codepipeline.IStage,
    options: pipelines.ProduceActionOptions,
  ): pipelines.CodePipelineActionFactoryResult {
    const id = `${stage.stageName}${this.id}`;
    stage.addAction(
      new actions.LambdaInvokeAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        lambda: lambda.Function.fromFunctionArn(options.scope, `${id}Function`, this.props.functionArn),
        // Imported immutable: its permissions are the PlatformStack's to define (invoke the checker, nothing else).
        role: iam.Role.fromRoleArn(options.scope, `${id}Role`, this.props.roleArn, { mutable: false }),
        userParameters: this.props.parameters,
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
