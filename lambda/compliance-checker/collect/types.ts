/** What a collection reads with, what it is asked for, and what it returns. */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ImageScope } from '../../../core/contracts/compliance-checker';
import type { GateImage } from '../../../core/contracts/pipeline-gate';
import type { ResourceFacts } from '../../../core/policy/facts';

/** Kinds the collector reads, plus `Key` (KMS) and `Registry` (ECR registry settings) for errors. */
export type CollectedKind =
  | 'Endpoint'
  | 'EndpointConfig'
  | 'Model'
  | 'Repository'
  | 'Image'
  | 'Bucket'
  | 'Key'
  | 'Registry'
  | 'Role'
  | 'IdentityPolicy'
  | 'EventRule';

/** A resource the checker could not judge: never silently dropped. */
export interface ScanError {
  readonly resourceKind: CollectedKind;
  /** Name (or ARN / key id) of the resource, or `*` for a failed listing. */
  readonly resource: string;
  /** The API call that failed, e.g. `sagemaker:DescribeEndpoint`. */
  readonly operation: string;
  /** The service's error code, e.g. `AccessDeniedException`. */
  readonly code: string;
  readonly message: string;
  readonly accessDenied: boolean;
  /** Region of the client that failed; absent for the home region of single-region callers. */
  readonly region?: string;
}

/** A resource that vanished between listing and describing it, or a named target that does not exist. */
export interface NotFound {
  readonly resourceKind: CollectedKind;
  readonly resource: string;
}

export interface CollectResult {
  readonly resources: ResourceFacts[];
  readonly errors: ScanError[];
  readonly notFound: NotFound[];
}

/** An image named by a pipeline gate: the contract the pipeline's UserParameters are written with. */
export type ImageTarget = GateImage;

/** Named resources to collect (pipeline gate, Config change event). */
export interface Targets {
  readonly endpoints?: readonly string[];
  readonly endpointConfigs?: readonly string[];
  readonly models?: readonly string[];
  readonly repositories?: readonly string[];
  readonly images?: readonly ImageTarget[];
}

export interface TargetOptions {
  /**
   * Whether an endpoint brings its endpoint config, a config its models, and an image its repository: what a
   * deployment gate must judge together. A Config rule judges exactly the resource it was told about.
   * @default true
   */
  readonly withDependencies?: boolean;
}

export interface CollectorClients {
  readonly sagemaker: SageMakerClient;
  readonly ecr: ECRClient;
  readonly kms: KMSClient;
  /** Reads bucket configuration; without it buckets are not collected (their rules are then not evaluated). */
  readonly s3?: S3Client;
  /** Batched tag reads for a full scan; without it every SageMaker resource's tags are read with ListTags. */
  readonly tagging?: ResourceGroupsTaggingAPIClient;
  /**
   * Reads the models' execution roles (MLOPS-IAM-1, -2). IAM is global: the home clients carry it.
   * @default - roles are not read, and the report lists the IAM rules as not evaluated
   */
  readonly iam?: IAMClient;
  /**
   * Reads the region's EventBridge rules and targets (MLOPS-EVENTS-1).
   * @default - rules are not read, and the report lists MLOPS-EVENTS-1 as not evaluated
   */
  readonly events?: EventBridgeClient;
}

export interface CollectorOptions {
  /** Describe calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Which images to judge in a full scan: `in-use` = images that SageMaker models reference (what actually runs),
   * `all` = every image of every repository (one DescribeImages page per 100 images, can be large).
   * @default 'in-use'
   */
  readonly imageScope?: ImageScope;
  /** Page size for list calls. @default 100 */
  readonly pageSize?: number;
  /** Region these clients talk to: recorded on scan errors. @default - not recorded */
  readonly region?: string;
  /**
   * S3 client for a bucket's own region (S3 configuration reads must go to the bucket's region).
   * @default - the `s3` client of `clients`
   */
  readonly s3For?: (region: string) => S3Client | undefined;
  /**
   * The policy's production environments. With it, a full scan describes only the endpoints whose Environment tag
   * (read in batch) is missing or names one of them; the others' deployment configuration is recorded as unknown.
   * @default - every endpoint is described
   */
  readonly productionEnvironments?: readonly string[];
}
