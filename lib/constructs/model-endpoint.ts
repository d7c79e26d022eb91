/**
 * The `ModelEndpoint` construct: coordinates its parts (props in `model-endpoint-props.ts`, checks in
 * `model-endpoint-validation.ts`, secure defaults in `model-endpoint-resources.ts`, the execution policy in
 * `model-endpoint-execution-policy.ts`, the deployment config in `model-endpoint-rollout.ts`, alarms from
 * `endpoint-alarms.ts`) and builds the model, the endpoint config with its data capture, and the endpoint.
 */
import { createHash } from 'node:crypto';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { applyAcknowledgements } from '../nag/acknowledgements';
import { withDefaults } from './defaults';
import { DriftMonitor } from './drift-monitor/drift-monitor';
import { EndpointAlarmFactory } from './endpoint-alarms';
import { executionPolicyAcknowledgements, executionStatements } from './model-endpoint-execution-policy';
import {
  AutoScalingOptions,
  ENDPOINT_ALARM_DEFAULTS,
  EndpointAlarmThresholds,
  EndpointDriftMonitorOptions,
  ModelEndpointProps,
  ROLLOUT_DEFAULTS,
  RolloutOptions,
} from './model-endpoint-props';
import { resolveEndpointResources, trimSlashes } from './model-endpoint-resources';
import { renderDeploymentConfig, renderVariantRetention } from './model-endpoint-rollout';
import { validateCaptureRetention, validateEndpointProps } from './model-endpoint-validation';
import { validationError } from './validation-error';

// The props and their defaults are part of this construct's API: importers of this module keep finding them here.
export * from './model-endpoint-props';

/**
 * A SageMaker model behind an endpoint that deploys gradually and rolls itself back.
 *
 * - Model: network isolation on by default, VPC when given, a least-privilege execution role.
 * - EndpointConfig: storage KMS key, data capture with its own KMS key; the name is a hash of the content because
 *   endpoint configs are immutable (a change makes a new config; CloudFormation then updates the endpoint in place).
 * - Endpoint: blue/green CANARY or LINEAR traffic shifting, auto-rollback on its 5XX, 4XX-rate and p99 latency alarms.
 * - `addDriftMonitor()`: the drift and fairness detector over the endpoint's captured data.
 *
 * Alone in a stack of your own, only the image and the capacity are needed: the storage key, the alarm topic and,
 * with `dataCapture: { samplingPercent }`, the capture key and bucket are created with secure defaults. Pass your
 * own to share them between endpoints.
 */
export class ModelEndpoint extends Construct {
  public readonly model: sagemaker.CfnModel;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  public readonly endpoint: sagemaker.CfnEndpoint;
  public readonly role: iam.Role;
  public readonly endpointName: string;
  /** The endpoint's ARN (what `sagemaker:InvokeEndpoint` is granted on). */
  public readonly endpointArn: string;
  public readonly variantName: string;
  /** Alarms that roll back a deployment and notify the topic. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Key of the ML storage volumes: `storageKey`, or the one made for it. */
  public readonly storageKey: kms.IKey;
  /** Topic every alarm notifies: `alarmTopic`, or the one made for it. */
  public readonly alarmTopic: sns.ITopic;
  /** Bucket captured data lands in (given or made); undefined without `dataCapture`. */
  public readonly captureBucket?: s3.IBucket;
  /** Key of the captured data (given or made); undefined without `dataCapture`. */
  public readonly captureKey?: kms.IKey;
  /** Key prefix of this endpoint's captured files (`<prefix>/<endpointName>/`); undefined without `dataCapture`. */
  public readonly capturePrefix?: string;
  private monitor?: DriftMonitor;

  constructor(scope: Construct, id: string, given: ModelEndpointProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateCaptureRetention(this, given);
    const props = resolveEndpointResources(this, given);
    this.storageKey = props.storageKey;
    this.alarmTopic = props.alarmTopic;
    if (props.dataCapture) {
      this.captureBucket = props.dataCapture.bucket;
      this.captureKey = props.dataCapture.encryptionKey;
      this.capturePrefix = `${trimSlashes(props.dataCapture.prefix)}/${props.endpointName}/`;
    }
    const networkIsolation = props.networkIsolation ?? true;
    const variantName = props.variantName ?? 'AllTraffic';
    const rollout: Required<RolloutOptions> = withDefaults(ROLLOUT_DEFAULTS, props.rollout);
    const thresholds: Required<EndpointAlarmThresholds> = withDefaults(ENDPOINT_ALARM_DEFAULTS, props.thresholds);
    validateEndpointProps(this, props, rollout);
    this.endpointName = props.endpointName;
    this.variantName = variantName;

    if (!props.vpc) {
      Annotations.of(this).addInfo(
        `${props.endpointName}: the model runs outside a VPC (network isolation ${networkIsolation ? 'on' : 'off'}). Set environments[].vpc to attach it to private subnets.`,
      );
    }

    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker execution role for ${props.endpointName}`,
    });
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      roles: [this.role],
      description: `Least-privilege permissions for ${props.endpointName}`,
      statements: executionStatements(stack, props),
    });
    const image = props.imageTag.startsWith('sha256:')
      ? `${props.repository.repositoryUri}@${props.imageTag}`
      : props.repository.repositoryUriForTag(props.imageTag);

    const modelContent = {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: networkIsolation,
      primaryContainer: {
        image,
        mode: 'SingleModel',
        ...(props.modelData ? { modelDataUrl: props.modelData.bucket.s3UrlForObject(props.modelData.key) } : {}),
      },
      ...(props.vpc
        ? { vpcConfig: { subnets: [...props.vpc.subnetIds], securityGroupIds: [...props.vpc.securityGroupIds] } }
        : {}),
    };
    // Models and endpoint configs are immutable: the names come from their content, so every change creates a
    // new one beside the old and the endpoint moves to it with a blue/green deployment.
    this.model = new sagemaker.CfnModel(this, 'Model', {
      ...modelContent,
      modelName: contentName(stack, props.endpointName, modelContent),
    });
    this.model.node.addDependency(policy);

    const capture = props.dataCapture;
    const configContent = {
      kmsKeyId: props.storageKey.keyArn,
      productionVariants: [
        {
          variantName,
          modelName: this.model.attrModelName,
          initialInstanceCount: props.instanceCount,
          instanceType: props.instanceType,
          initialVariantWeight: 1,
        },
      ],
      ...(capture
        ? {
            dataCaptureConfig: {
              enableCapture: true,
              initialSamplingPercentage: capture.samplingPercent,
              destinationS3Uri: capture.bucket.s3UrlForObject(trimSlashes(capture.prefix)),
              kmsKeyId: capture.encryptionKey.keyArn,
              captureOptions: [
                ...((capture.captureInput ?? true) ? [{ captureMode: 'Input' }] : []),
                ...((capture.captureOutput ?? true) ? [{ captureMode: 'Output' }] : []),
              ],
              captureContentTypeHeader: { csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'] },
            },
          }
        : {}),
    };
    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      ...configContent,
      endpointConfigName: contentName(stack, props.endpointName, { ...configContent, modelContent }),
    });

    this.alarms = this.renderAlarms(props.endpointName, props.alarmTopic, thresholds);
    const rollbackAlarmNames = [...this.alarms.map((a) => a.alarmName), ...(props.extraRollbackAlarmNames ?? [])];

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointName: props.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      deploymentConfig: renderDeploymentConfig(rollout, rollbackAlarmNames),
      ...renderVariantRetention(props.autoScaling !== undefined),
    });
    this.endpointArn = this.endpoint.ref;

    if (props.autoScaling) this.addAutoScaling(props.autoScaling);

    applyAcknowledgements(executionPolicyAcknowledgements(policy, props));
  }

  /** The drift monitor added by `addDriftMonitor()`, if any. */
  public get driftMonitor(): DriftMonitor | undefined {
    return this.monitor;
  }

  /**
   * Adds the drift and fairness detector (`DriftMonitor`) over this endpoint's captured data, as the child
   * `DriftMonitor`: it watches the capture prefix of this endpoint, notifies the endpoint's topic and encrypts with
   * its storage key unless told otherwise. Needs `dataCapture`; once per endpoint.
   */
  public addDriftMonitor(options: EndpointDriftMonitorOptions): DriftMonitor {
    if (!this.captureBucket || !this.captureKey || this.capturePrefix === undefined) {
      throw validationError(
        this,
        'dataCapture',
        undefined,
        'is required by addDriftMonitor(): the monitor reads captured data',
      );
    }
    if (this.monitor) {
      throw new Error(
        `addDriftMonitor() was already called for ${this.endpointName} (at ${this.node.path}): one monitor per endpoint`,
      );
    }
    this.monitor = new DriftMonitor(this, 'DriftMonitor', {
      ...options,
      endpointName: this.endpointName,
      variantName: this.variantName,
      captureBucket: this.captureBucket,
      captureKey: this.captureKey,
      capturePrefix: this.capturePrefix,
      alarmTopic: options.alarmTopic ?? this.alarmTopic,
      encryptionKey: options.encryptionKey ?? this.storageKey,
    });
    return this.monitor;
  }

  /** Lets `grantee` call this endpoint (`sagemaker:InvokeEndpoint` on its ARN, nothing else). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint'],
      resourceArns: [this.endpointArn],
    });
  }

  /** Metric of this endpoint's variant in the AWS/SageMaker namespace. */
  public metric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      period: Duration.minutes(1),
      ...options,
    });
  }

  /** The 5XX, 4XX-rate and p99 latency alarms, from the alarm factory: they roll a deployment back and notify. */
  private renderAlarms(
    endpointName: string,
    topic: sns.ITopic,
    thresholds: Required<EndpointAlarmThresholds>,
  ): cloudwatch.Alarm[] {
    const alarms = new EndpointAlarmFactory({ endpointName, alarmTopic: topic });
    const rate4xx = new cloudwatch.MathExpression({
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      usingMetrics: {
        errors: this.metric('Invocation4XXErrors', { statistic: 'Sum' }),
        invocations: this.metric('Invocations', { statistic: 'Sum' }),
      },
      period: Duration.minutes(1),
      label: '4XX rate (%)',
    });
    return [
      alarms.addRollbackAlarm(this, 'Errors5xxAlarm', {
        nameSuffix: '5xx-errors',
        description: `more than ${thresholds.errors5xxPerMinute} 5XX errors a minute`,
        metric: this.metric('Invocation5XXErrors', { statistic: 'Sum' }),
        threshold: thresholds.errors5xxPerMinute,
      }),
      alarms.addRollbackAlarm(this, 'Errors4xxRateAlarm', {
        nameSuffix: '4xx-rate',
        description: `4XX errors above ${thresholds.error4xxRatePercent}% of invocations`,
        metric: rate4xx,
        threshold: thresholds.error4xxRatePercent,
      }),
      // ModelLatency is reported in microseconds.
      alarms.addRollbackAlarm(this, 'LatencyP99Alarm', {
        nameSuffix: 'model-latency-p99',
        description: `p99 model latency above ${thresholds.latencyP99Ms} ms`,
        metric: this.metric('ModelLatency', { statistic: 'p99' }),
        threshold: thresholds.latencyP99Ms * 1000,
      }),
    ];
  }

  private addAutoScaling(opts: AutoScalingOptions): void {
    const target = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpointName}/variant/${this.variantName}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: opts.minCapacity,
      maxCapacity: opts.maxCapacity,
    });
    target.node.addDependency(this.endpoint);
    target.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: opts.targetInvocationsPerInstance,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }
}

/** `<prefix>-<8 hex of sha256(resolved content)>`, at most 63 characters (SageMaker's limit). */
function contentName(stack: Stack, prefix: string, content: unknown): string {
  const resolved = JSON.stringify(stack.resolve(content));
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 8);
  return `${prefix.slice(0, 63 - 9)}-${hash}`;
}
