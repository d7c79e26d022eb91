/**
 * What a `ModelEndpoint` is built from: its props, the option groups they are made of, and the documented defaults
 * of the rollout and the alarm thresholds (the config schema's defaults, from `core/defaults`).
 */
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DriftMonitorProps } from './drift-monitor/drift-monitor';
import { ENDPOINT_ALARM_THRESHOLD_DEFAULTS, ENDPOINT_ROLLOUT_DEFAULTS } from '../../core/defaults/endpoint';

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
