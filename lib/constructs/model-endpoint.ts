import { createHash } from 'node:crypto';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  applyAcknowledgements,
  findingResource,
  ScopedAcknowledgement,
  wildcardResource,
} from '../nag/acknowledgements';
import { putMetricDataIn } from './iam-statements';
import { withDefaults } from './defaults';
import { DriftMonitor, DriftMonitorProps } from './drift-monitor/drift-monitor';
import { EndpointAlarmFactory } from './endpoint-alarms';
import { allowServiceKeyUse } from './key-grants';
import { SecureBucket } from './secure-bucket';
import { ENDPOINT_ALARM_THRESHOLD_DEFAULTS, ENDPOINT_ROLLOUT_DEFAULTS } from '../../core/defaults/endpoint';
import { validationError } from './validation-error';

export type RolloutStrategy = 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE';

export interface RolloutOptions {
  /**
   * How traffic moves from the old fleet to the new one.
   * @default 'CANARY'
   */
  readonly strategy?: RolloutStrategy;
  /**
   * CANARY: percent of capacity in the canary. LINEAR: percent shifted per step. Ignored for ALL_AT_ONCE.
   * @default 10
   */
  readonly stepPercent?: number;
  /**
   * Seconds the alarms are watched between steps (the baking period).
   * @default 300
   */
  readonly waitSeconds?: number;
  /**
   * Seconds the old fleet stays after all traffic has moved, for a fast rollback.
   * @default 600
   */
  readonly terminationWaitSeconds?: number;
  /**
   * Upper bound on the whole deployment, in seconds.
   * @default 3600
   */
  readonly maximumExecutionTimeoutSeconds?: number;
}

/** A small canary watched for five minutes, the old fleet kept ten more: the config schema's defaults. */
export const ROLLOUT_DEFAULTS: Required<RolloutOptions> = ENDPOINT_ROLLOUT_DEFAULTS;

export interface ModelDataOptions {
  /** The bucket holding the artefact archive. */
  readonly bucket: s3.IBucket;
  /** Object key of the artefact archive. */
  readonly key: string;
  /**
   * Key the object is encrypted with.
   * @default - none (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
}

export interface DataCaptureOptions {
  /**
   * Bucket that receives captured requests and responses. Give it EventBridge notifications if a drift monitor
   * watches it.
   * @default - a new `SecureBucket` (purpose `data-capture`: SSE-KMS with `encryptionKey`, TLS only, versioned,
   *   public access blocked, EventBridge notifications on, objects expired after `retentionDays`), access-logged to
   *   a new access-log bucket
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix; SageMaker appends `<endpoint>/<variant>/yyyy/mm/dd/hh/`.
   * @default 'datacapture'
   */
  readonly prefix?: string;
  /**
   * Customer-managed key that encrypts captured data (separate from the storage key).
   * @default - a new customer-managed key (rotation on, retained on delete)
   */
  readonly encryptionKey?: kms.IKey;
  /** Percent of requests captured (data minimisation: capture only what monitoring needs). */
  readonly samplingPercent: number;
  /**
   * Days captured data is kept in the bucket this construct creates (storage limitation). Ignored with `bucket`:
   * your bucket's lifecycle rules decide.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Capture the requests.
   * @default true
   */
  readonly captureInput?: boolean;
  /**
   * Capture the responses.
   * @default true
   */
  readonly captureOutput?: boolean;
}

export interface EndpointAlarmThresholds {
  /**
   * p99 ModelLatency in milliseconds. The metric is reported in microseconds; the construct converts.
   * @default 1000
   */
  readonly latencyP99Ms?: number;
  /**
   * Invocation5XXErrors per minute.
   * @default 5
   */
  readonly errors5xxPerMinute?: number;
  /**
   * Invocation4XXErrors as a percent of invocations.
   * @default 5
   */
  readonly error4xxRatePercent?: number;
}

/** The config schema's defaults: alarms (and so rollbacks) on clear failures, not on noise. */
export const ENDPOINT_ALARM_DEFAULTS: Required<EndpointAlarmThresholds> = ENDPOINT_ALARM_THRESHOLD_DEFAULTS;

export interface AutoScalingOptions {
  /** Fewest instances. */
  readonly minCapacity: number;
  /** Most instances. */
  readonly maxCapacity: number;
  /** Target invocations per instance per minute. */
  readonly targetInvocationsPerInstance: number;
}

export interface ModelEndpointProps {
  /** SageMaker endpoint name; stable across deployments so callers keep their URL. */
  readonly endpointName: string;
  /**
   * Repository that holds the image; the execution role may pull from it and nothing else. An existing one:
   * `ecr.Repository.fromRepositoryName(...)`, or a `ModelRepository`'s `repository`.
   */
  readonly repository: ecr.IRepository;
  /**
   * Customer-managed key the repository is encrypted with (pulling layers needs kms:Decrypt on it).
   * @default - none: the repository is encrypted with an AWS-owned or AWS-managed key, and no kms:Decrypt is granted
   */
  readonly repositoryKey?: kms.IKey;
  /** Immutable image tag or `sha256:` digest. */
  readonly imageTag: string;
  /**
   * Model artefacts (model.tar.gz) outside the image. The role may read exactly this object.
   * @default - the image contains the model
   */
  readonly modelData?: ModelDataOptions;
  /** Instance type of the variant, e.g. `ml.m5.large`. */
  readonly instanceType: string;
  /** Instances the variant starts with (and keeps, without `autoScaling`). */
  readonly instanceCount: number;
  /**
   * Run the container without network access (no egress; SageMaker still fetches image and artefacts).
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * Subnets and security groups (by id; synth makes no lookups).
   * @default - no VPC (a warning is added)
   */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /**
   * Customer-managed key for the hosting instances' ML storage volumes (and, by default, the alarm topic and the
   * drift monitor's logs).
   * @default - a new customer-managed key (rotation on, retained on delete)
   */
  readonly storageKey?: kms.IKey;
  /**
   * Data capture of requests and responses.
   * @default - no capture (the policy pack flags this)
   */
  readonly dataCapture?: DataCaptureOptions;
  /**
   * How a new model or config reaches traffic (blue/green); fields left out take `ROLLOUT_DEFAULTS`.
   * @default ROLLOUT_DEFAULTS (CANARY 10%, 300 s baking)
   */
  readonly rollout?: RolloutOptions;
  /**
   * Thresholds of the alarms that notify and roll a deployment back; fields left out take `ENDPOINT_ALARM_DEFAULTS`.
   * @default ENDPOINT_ALARM_DEFAULTS
   */
  readonly thresholds?: EndpointAlarmThresholds;
  /**
   * Target tracking on invocations per instance. Deployments then keep the variant's current instance count
   * (`RetainAllVariantProperties`), which Application Auto Scaling owns.
   * @default - fixed instance count
   */
  readonly autoScaling?: AutoScalingOptions;
  /**
   * Topic every alarm notifies.
   * @default - a new topic encrypted with `storageKey`, TLS only (subscribe to `alarmTopic`)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Variant name; blue/green deployments need it unchanged between configs.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * Extra alarms that also roll a deployment back (e.g. drift). Names only: they may live in this stack.
   * @default - the endpoint's own 5XX, 4XX and latency alarms
   */
  readonly extraRollbackAlarmNames?: readonly string[];
}

/** What `addDriftMonitor` needs beyond what the endpoint already knows (its name, variant and capture). */
export interface EndpointDriftMonitorOptions extends Omit<
  DriftMonitorProps,
  'endpointName' | 'variantName' | 'captureBucket' | 'captureKey' | 'capturePrefix' | 'alarmTopic' | 'encryptionKey'
> {
  /**
   * Topic the drift and fairness alarms notify.
   * @default - the endpoint's `alarmTopic`
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Customer-managed key of the detector's log group, environment and dead-letter queue.
   * @default - the endpoint's `storageKey`
   */
  readonly encryptionKey?: kms.IKey;
}

/** Data capture with its bucket, prefix and key resolved. */
interface ResolvedDataCapture extends DataCaptureOptions {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly encryptionKey: kms.IKey;
}

/** The props with the resources they may leave out made (`parseResources`). */
interface ResolvedEndpointProps extends ModelEndpointProps {
  readonly storageKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly dataCapture?: ResolvedDataCapture;
}

/** Captured data lands under this prefix of the bucket unless `dataCapture.prefix` says otherwise. */
const DEFAULT_CAPTURE_PREFIX = 'datacapture';
const DEFAULT_CAPTURE_RETENTION_DAYS = 30;

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
    this.validateCapture(given);
    const props = this.parseResources(given);
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
    this.validate(props, rollout);
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
      deploymentConfig: {
        blueGreenUpdatePolicy: {
          trafficRoutingConfiguration: trafficRouting(rollout),
          terminationWaitInSeconds: rollout.terminationWaitSeconds,
          maximumExecutionTimeoutInSeconds: rollout.maximumExecutionTimeoutSeconds,
        },
        autoRollbackConfiguration: { alarms: rollbackAlarmNames.map((alarmName) => ({ alarmName })) },
      },
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

  /**
   * The resources the props may leave out, made with secure defaults: customer-managed keys with rotation, a
   * TLS-only encrypted topic, a capture bucket with the policy's controls. Given ones are used as they are.
   */
  private parseResources(props: ModelEndpointProps): ResolvedEndpointProps {
    const newKey = (id: string, purpose: string) =>
      new kms.Key(this, id, {
        description: `${props.endpointName}: ${purpose}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
      });
    const storageKey = props.storageKey ?? newKey('StorageKey', 'ML storage volumes, alarm topic, drift monitor logs');
    let alarmTopic = props.alarmTopic;
    if (!alarmTopic) {
      // CloudWatch alarms publish to an encrypted topic only if the key policy lets them.
      allowServiceKeyUse(storageKey);
      alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `${props.endpointName} alarms`,
        masterKey: storageKey,
        enforceSSL: true,
      });
    }
    const { dataCapture, ...rest } = props;
    return {
      ...rest,
      storageKey,
      alarmTopic,
      ...(dataCapture ? { dataCapture: this.parseCapture(dataCapture, newKey) } : {}),
    };
  }

  private parseCapture(
    capture: DataCaptureOptions,
    newKey: (id: string, purpose: string) => kms.IKey,
  ): ResolvedDataCapture {
    const encryptionKey = capture.encryptionKey ?? newKey('CaptureKey', 'captured inference data');
    const prefix = capture.prefix ?? DEFAULT_CAPTURE_PREFIX;
    if (capture.bucket) return { ...capture, encryptionKey, prefix, bucket: capture.bucket };
    const accessLogs = new SecureBucket(this, 'AccessLogsBucket', { purpose: 'access-logs', expirationDays: 365 });
    // Noncurrent versions live one more day: current objects expire a day early, so a record's whole life stays
    // within the retention period.
    const bucket = new SecureBucket(this, 'CaptureBucket', {
      purpose: 'data-capture',
      encryptionKey,
      accessLogsBucket: accessLogs.bucket,
      expirationDays: (capture.retentionDays ?? DEFAULT_CAPTURE_RETENTION_DAYS) - 1,
      noncurrentExpirationDays: 1,
      eventBridgeEnabled: true,
    });
    return { ...capture, encryptionKey, prefix, bucket: bucket.bucket };
  }

  private validateCapture(p: ModelEndpointProps): void {
    const days = p.dataCapture?.retentionDays;
    if (days !== undefined && !Token.isUnresolved(days) && (!Number.isInteger(days) || days < 2)) {
      throw validationError(this, 'dataCapture.retentionDays', days, 'must be a whole number >= 2');
    }
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

  private validate(p: ResolvedEndpointProps, r: Required<RolloutOptions>): void {
    if (!Token.isUnresolved(p.endpointName) && !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(p.endpointName)) {
      throw validationError(this, 'endpointName', p.endpointName, "must be 1-63 alphanumerics or '-'");
    }
    if (r.strategy !== 'ALL_AT_ONCE' && (r.stepPercent < 1 || r.stepPercent > 50)) {
      throw validationError(this, 'rollout.stepPercent', r.stepPercent, `must be between 1 and 50 for ${r.strategy}`);
    }
    if (p.dataCapture && (p.dataCapture.samplingPercent < 1 || p.dataCapture.samplingPercent > 100)) {
      throw validationError(
        this,
        'dataCapture.samplingPercent',
        p.dataCapture.samplingPercent,
        'must be between 1 and 100',
      );
    }
    if (p.autoScaling && p.autoScaling.minCapacity > p.autoScaling.maxCapacity) {
      throw validationError(
        this,
        'autoScaling.minCapacity',
        p.autoScaling.minCapacity,
        `must be <= autoScaling.maxCapacity (${p.autoScaling.maxCapacity})`,
      );
    }
    if (p.instanceCount < 1) throw validationError(this, 'instanceCount', p.instanceCount, 'must be >= 1');
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

/**
 * Which variant properties a deployment keeps from the running endpoint. With auto scaling, Application Auto Scaling
 * owns the instance count: a deployment that took the config's initial count would shrink a scaled-out fleet to it
 * and leave the scalable target out of step with the variant. So the count and weight are retained, and only the
 * data capture settings come from the new config (a sampling change must take effect). Without auto scaling the
 * config is the truth: nothing is retained, so a changed instanceCount deploys.
 */
function renderVariantRetention(
  autoScaling: boolean,
): Pick<sagemaker.CfnEndpointProps, 'retainAllVariantProperties' | 'excludeRetainedVariantProperties'> {
  if (!autoScaling) return { retainAllVariantProperties: false };
  return {
    retainAllVariantProperties: true,
    excludeRetainedVariantProperties: [{ variantPropertyType: 'DataCaptureConfig' }],
  };
}

function trafficRouting(r: Required<RolloutOptions>): sagemaker.CfnEndpoint.TrafficRoutingConfigProperty {
  switch (r.strategy) {
    case 'CANARY':
      return {
        type: 'CANARY',
        waitIntervalInSeconds: r.waitSeconds,
        canarySize: { type: 'CAPACITY_PERCENT', value: r.stepPercent },
      };
    case 'LINEAR':
      return {
        type: 'LINEAR',
        waitIntervalInSeconds: r.waitSeconds,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: r.stepPercent },
      };
    case 'ALL_AT_ONCE':
      return { type: 'ALL_AT_ONCE', waitIntervalInSeconds: r.waitSeconds };
  }
}

function executionStatements(stack: Stack, props: ResolvedEndpointProps): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'PullModelImage',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [props.repository.repositoryArn],
    }),
    new iam.PolicyStatement({
      // GetAuthorizationToken has no resource-level permissions: AWS only accepts "*".
      sid: 'EcrAuthToken',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }),
    ...(props.repositoryKey
      ? [
          new iam.PolicyStatement({
            sid: 'DecryptModelImage',
            actions: ['kms:Decrypt'],
            resources: [props.repositoryKey.keyArn],
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'EndpointLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: endpointLogArns(stack, props.endpointName),
    }),
    putMetricDataIn('EndpointMetrics', '/aws/sagemaker/Endpoints'),
  ];
  const capture = props.dataCapture;
  if (capture) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WriteCapturedData',
        actions: ['s3:PutObject'],
        resources: [capture.bucket.arnForObjects(`${trimSlashes(capture.prefix)}/${props.endpointName}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptCapturedData',
        actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
        resources: [capture.encryptionKey.keyArn],
      }),
    );
  }
  if (props.modelData) {
    const { bucket, key, encryptionKey } = props.modelData;
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadModelData',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(key)],
      }),
    );
    if (encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DecryptModelData',
          actions: ['kms:Decrypt'],
          resources: [encryptionKey.keyArn],
        }),
      );
    }
  }
  if (props.vpc) {
    statements.push(
      new iam.PolicyStatement({
        // SageMaker creates and manages ENIs in the given subnets; the EC2 describe/ENI APIs do not support
        // resource-level permissions for these calls.
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/** `<prefix>-<8 hex of sha256(resolved content)>`, at most 63 characters (SageMaker's limit). */
function contentName(stack: Stack, prefix: string, content: unknown): string {
  const resolved = JSON.stringify(stack.resolve(content));
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 8);
  return `${prefix.slice(0, 63 - 9)}-${hash}`;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

/** Each wildcard in the execution policy, acknowledged one finding at a time with the reason it is needed. */
function executionPolicyAcknowledgements(
  policy: iam.ManagedPolicy,
  props: ResolvedEndpointProps,
): ScopedAcknowledgement[] {
  const stack = Stack.of(policy);
  const iam5 = (resource: string, reason: string) => wildcardResource(policy, resource, reason);
  return [
    iam5(
      '*',
      'Only ecr:GetAuthorizationToken (no resource-level permissions in IAM), cloudwatch:PutMetricData (pinned to the /aws/sagemaker/Endpoints namespace by condition) and, with a VPC, the EC2 ENI calls SageMaker makes, which IAM only accepts on "*".',
    ),
    iam5(
      findingResource(stack, endpointLogArns(stack, props.endpointName)[1] as string),
      "Log stream names are created by SageMaker per instance at run time; the wildcard is confined to this endpoint's own log group.",
    ),
    ...(props.dataCapture
      ? [
          iam5(
            `${findingResource(stack, props.dataCapture.bucket.bucketArn)}/${trimSlashes(props.dataCapture.prefix)}/${props.endpointName}/*`,
            "SageMaker names capture objects by date and hour at run time; write access is confined to this endpoint's capture prefix.",
          ),
        ]
      : []),
  ];
}

/** The endpoint's log group and its log streams. */
function endpointLogArns(stack: Stack, endpointName: string): string[] {
  const group = `/aws/sagemaker/Endpoints/${endpointName}`;
  return [group, `${group}:log-stream:*`].map((resourceName) =>
    stack.formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
}
