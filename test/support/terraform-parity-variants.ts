/**
 * The variants of one model environment that the parity test builds through both CDK and Terraform. Each names its
 * Terraform -var flags (the plan fixtures are made from them) and the same change on the CDK side.
 */
export interface ParityVariant {
  /** Fixture file: test/terraform/fixtures/plan-<name>.json. */
  readonly name: string;
  readonly description: string;
  /** -var flags for test/terraform/parity. */
  readonly tfVars: Readonly<Record<string, string>>;
  /**
   * The same change as a CloudFormation property override on the model stack's resource of this type (the one whose
   * construct id is `id`, where the stack has several of the type).
   */
  readonly cfnOverride?: {
    readonly type: string;
    readonly id?: string;
    readonly path: string;
    readonly value: unknown;
  };
}

export const PARITY_VARIANTS: readonly ParityVariant[] = [
  { name: 'compliant', description: 'the default config, production environment', tfVars: {} },
  {
    name: 'no-network-isolation',
    description: 'model network isolation off',
    tfVars: { network_isolation: 'false' },
    cfnOverride: { type: 'AWS::SageMaker::Model', path: 'EnableNetworkIsolation', value: false },
  },
  {
    name: 'oversampled',
    description: 'capture sampling 50% (policy maximum 20%)',
    tfVars: { sampling_percent: '50' },
    cfnOverride: {
      type: 'AWS::SageMaker::EndpointConfig',
      path: 'DataCaptureConfig.InitialSamplingPercentage',
      value: 50,
    },
  },
  {
    name: 'capture-off',
    description: 'data capture disabled',
    tfVars: { capture_enabled: 'false' },
    cfnOverride: { type: 'AWS::SageMaker::EndpointConfig', path: 'DataCaptureConfig.EnableCapture', value: false },
  },
  {
    name: 'all-at-once',
    description: 'production endpoint shifting all traffic at once',
    tfVars: { strategy: 'ALL_AT_ONCE' },
    cfnOverride: {
      type: 'AWS::SageMaker::Endpoint',
      path: 'DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration',
      value: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
    },
  },
  {
    name: 'foreign-event-target',
    description: 'capture-bucket events sent to a target in another account',
    tfVars: { capture_events_account: '999999999999' },
    cfnOverride: {
      type: 'AWS::Events::Rule',
      // The capture-event rule; the ground-truth rule and the labels clock are the model stack's other event rules.
      id: 'CaptureObjectCreated',
      path: 'Targets.0.Arn',
      value: 'arn:aws:lambda:eu-west-1:999999999999:function:mlops-production-fraud-xgb-drift',
    },
  },
];
