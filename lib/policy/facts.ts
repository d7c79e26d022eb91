/**
 * Normalized resource facts: what every rule in the catalogue reads.
 *
 * Three adapters produce them from three sources — a synthesized CloudFormation template (synth time), Terraform
 * JSON (plan time) and live AWS APIs (run time) — so one rule, written once, judges all three. A fact an adapter
 * cannot know is `undefined`; rules treat `undefined` as "not shown", never as "compliant".
 *
 * Pure TypeScript: imports neither aws-cdk-lib nor cdktf nor the AWS SDK.
 */

/** ECR finding severities, lowest first. `UNDEFINED` is ECR's own bucket for unrated findings. */
export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Tag keys the platform writes and the rules read. */
export const TAGS = {
  /** The environment (stage) a resource belongs to, e.g. `production`. */
  ENVIRONMENT: 'Environment',
  /** Data classification of what the resource holds or processes. */
  DATA_CLASSIFICATION: 'DataClassification',
  /** What a bucket is for: `data-capture`, `artifacts`, `access-logs`, `reports`. */
  PURPOSE: 'mlops:purpose',
} as const;

export type BucketPurpose = 'data-capture' | 'artifacts' | 'access-logs' | 'reports' | 'other';

/** A reference to a KMS key as a resource property carries it. */
export interface KeyRef {
  /** Key id, ARN, alias, or (synth/plan time) the logical reference. */
  readonly id: string;
  /** True for a customer-managed key, false for an AWS-managed key, undefined when it could not be determined. */
  readonly customerManaged: boolean | undefined;
}

interface FactsBase {
  /** Stable identifier: the logical id at synth time, the resource address at plan time, the ARN at run time. */
  readonly id: string;
  /** The resource's AWS name where known. */
  readonly name?: string;
  /** Region the resource lives in; undefined for environment-agnostic templates. */
  readonly region?: string;
  /** Tags; undefined when the source cannot show them. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ModelFacts extends FactsBase {
  readonly kind: 'Model';
  readonly networkIsolation: boolean;
  /** VPC configuration; undefined when the model runs outside a VPC. */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly executionRoleArn?: string;
  /** Container image URIs. */
  readonly images: readonly string[];
}

export interface DataCaptureFacts {
  readonly enabled: boolean;
  readonly samplingPercent: number;
  readonly captureInput: boolean;
  readonly captureOutput: boolean;
  readonly kmsKey?: KeyRef;
  readonly destinationS3Uri?: string;
}

export interface EndpointConfigFacts extends FactsBase {
  readonly kind: 'EndpointConfig';
  /** Key that encrypts the ML storage volumes of the hosting instances. */
  readonly kmsKey?: KeyRef;
  /** Undefined when the config has no DataCaptureConfig at all. */
  readonly dataCapture?: DataCaptureFacts;
  readonly modelNames: readonly string[];
}

export type RolloutStrategy = 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE';

export interface EndpointFacts extends FactsBase {
  readonly kind: 'Endpoint';
  readonly endpointConfigName?: string;
  /** From the Environment tag. */
  readonly environment?: string;
  /** Undefined when the endpoint has no blue/green DeploymentConfig. */
  readonly deployment?: {
    readonly strategy: RolloutStrategy;
    /** Number of CloudWatch alarms that trigger an automatic rollback. */
    readonly rollbackAlarmCount: number;
  };
}

export interface RepositoryFacts extends FactsBase {
  readonly kind: 'Repository';
  readonly tagImmutable: boolean;
  /** Scan on push (basic) or continuous/on-push enhanced scanning covers this repository. */
  readonly scanOnPush: boolean;
  readonly encryption: { readonly type: 'AES256' | 'KMS' | 'KMS_DSSE'; readonly kmsKey?: KeyRef };
  readonly hasLifecyclePolicy: boolean;
}

export interface BucketFacts extends FactsBase {
  readonly kind: 'Bucket';
  readonly purpose: BucketPurpose;
  readonly encryption: { readonly type: 'aws:kms' | 'aws:kms:dsse' | 'AES256' | 'none'; readonly kmsKey?: KeyRef };
  readonly versioned: boolean;
  readonly publicAccessBlocked: boolean;
  readonly accessLogging: boolean;
  /** A bucket policy denies requests with aws:SecureTransport = false. */
  readonly tlsOnly: boolean;
  /** Shortest enabled whole-bucket expiration of current objects, in days; undefined when none. */
  readonly expirationDays?: number;
  /** Shortest enabled whole-bucket expiration of noncurrent versions, in days; undefined when none. */
  readonly noncurrentExpirationDays?: number;
}

/** A container image in ECR with its scan results: run time only. */
export interface ImageFacts extends FactsBase {
  readonly kind: 'Image';
  readonly repositoryName: string;
  readonly digest: string;
  readonly imageTags: readonly string[];
  /** Undefined when the image was never scanned. */
  readonly scan?: {
    readonly status: string;
    /** ISO-8601 completion time of the last scan. */
    readonly completedAt?: string;
    readonly findingSeverityCounts: Readonly<Partial<Record<Severity | 'UNDEFINED', number>>>;
  };
}

export type ResourceFacts =
  ModelFacts | EndpointConfigFacts | EndpointFacts | RepositoryFacts | BucketFacts | ImageFacts;

export type ResourceKind = ResourceFacts['kind'];

export type FactsOf<K extends ResourceKind> = Extract<ResourceFacts, { kind: K }>;
