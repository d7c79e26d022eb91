/**
 * Normalized resource facts: what every rule in the catalogue reads.
 *
 * Three adapters produce them from three sources — a synthesized CloudFormation template (synth time), Terraform
 * JSON (plan time) and live AWS APIs (run time) — so one rule, written once, judges all three. A fact an adapter
 * cannot know is `undefined`; rules treat `undefined` as "not shown", never as "compliant".
 *
 * Where a fact is typed `X | undefined` (e.g. `networkIsolation`), `undefined` means the source does not show the
 * value: a CloudFormation parameter, a condition (`Fn::If`), an import or another intrinsic decides it. An adapter
 * records that as `undefined` and never substitutes a guess (neither the weakest nor the API's default value); the
 * rules then report the value as unknown (NON_COMPLIANT with a reason that says so). A value that is *absent* from
 * the source takes the service's documented default instead (an absent `EnableNetworkIsolation` is `false`).
 *
 * Pure TypeScript: imports neither aws-cdk-lib nor cdktf nor the AWS SDK.
 */

import type { Severity } from '../contracts/image-severity';

export { SEVERITIES } from '../contracts/image-severity';
export type { Severity };

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
  /** Account the resource lives in; undefined for environment-agnostic templates. */
  readonly account?: string;
  /** Tags; undefined when the source cannot show them. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The judged resources that use this one (run time: the models whose execution role a role is), so a finding on a
   * shared resource names what it reaches; undefined when the adapter does not trace it.
   */
  readonly usedBy?: readonly string[];
}

export interface ModelFacts extends FactsBase {
  readonly kind: 'Model';
  /** Undefined when a parameter or condition decides it. */
  readonly networkIsolation: boolean | undefined;
  /** VPC configuration; undefined when the model runs outside a VPC. */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly executionRoleArn?: string;
  /** Container image URIs. */
  readonly images: readonly string[];
  /**
   * Where each image comes from, as far as the source shows it (one entry per image, same order); undefined when
   * the adapter does not read it.
   */
  readonly imageSources?: readonly ImageSourceFacts[];
}

/** An image reference of a model: its registry and how it is pinned. */
export interface ImageSourceFacts {
  readonly uri: string;
  /**
   * The registry's account: a 12-digit account id, `SELF` when the image comes from a repository of the same
   * account (a repository defined in the same template or app, or the AWS::AccountId pseudo parameter), `NOT_ECR`
   * for a registry that is not a private ECR registry (Docker Hub, public.ecr.aws, ...), undefined when the source
   * does not show it.
   */
  readonly registryAccount: string | undefined;
  /**
   * How the image is pinned: a digest, a tag (`latest` for a reference without tag or digest), undefined when the
   * source does not show it.
   */
  readonly pin: { readonly digest: string } | { readonly tag: string } | undefined;
}

/** The account of an image from the resource's own account (see `ImageSourceFacts.registryAccount`). */
export const SELF_ACCOUNT = 'SELF';
/** A registry that is not a private ECR registry. */
export const NOT_ECR = 'NOT_ECR';

export interface DataCaptureFacts {
  /** Undefined when a parameter or condition decides it: the capture may be on, so capture rules still judge it. */
  readonly enabled: boolean | undefined;
  /** InitialSamplingPercentage; undefined when the source does not show it (never a guessed 0 or 100). */
  readonly samplingPercent: number | undefined;
  /** Undefined when the capture options are not shown. */
  readonly captureInput: boolean | undefined;
  readonly captureOutput: boolean | undefined;
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

/**
 * How an endpoint update reaches traffic. `ROLLING` is SageMaker's RollingUpdatePolicy (capacity replaced in
 * batches): recorded as what it is, and the rules decide whether it counts as gradual.
 */
export type RolloutStrategy = 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE' | 'ROLLING';

export interface EndpointFacts extends FactsBase {
  readonly kind: 'Endpoint';
  readonly endpointConfigName?: string;
  /** From the Environment tag. */
  readonly environment?: string;
  /** Undefined when the endpoint has no DeploymentConfig (neither blue/green nor rolling). */
  readonly deployment?: {
    /** Undefined when a parameter or condition decides the traffic routing type. */
    readonly strategy: RolloutStrategy | undefined;
    /** Number of CloudWatch alarms that trigger an automatic rollback; undefined when the list is not shown. */
    readonly rollbackAlarmCount: number | undefined;
  };
}

export interface RepositoryFacts extends FactsBase {
  readonly kind: 'Repository';
  /** Undefined when a parameter or condition decides it. */
  readonly tagImmutable: boolean | undefined;
  /** Scan on push (basic) or continuous/on-push enhanced scanning covers this repository; undefined when unknown. */
  readonly scanOnPush: boolean | undefined;
  /** `type` undefined when a parameter or condition decides it. */
  readonly encryption: { readonly type: 'AES256' | 'KMS' | 'KMS_DSSE' | undefined; readonly kmsKey?: KeyRef };
  readonly hasLifecyclePolicy: boolean;
  /** Repository policy statements: empty when there is no repository policy; undefined when unknown or not read. */
  readonly policyStatements?: readonly PolicyStatementFacts[] | undefined;
}

export interface BucketFacts extends FactsBase {
  readonly kind: 'Bucket';
  readonly purpose: BucketPurpose;
  /** `type` undefined when a parameter or condition decides it (or, at run time, it could not be read). */
  readonly encryption: {
    readonly type: 'aws:kms' | 'aws:kms:dsse' | 'AES256' | 'none' | undefined;
    readonly kmsKey?: KeyRef;
  };
  /** Undefined when unknown. */
  readonly versioned: boolean | undefined;
  /**
   * The bucket ACL grants access to the AllUsers or AuthenticatedUsers group (a canned `public-read`,
   * `public-read-write` or `authenticated-read` ACL, or such a grant); undefined when unknown or not read.
   */
  readonly publicAcl?: boolean | undefined;
  /**
   * The bucket policy's statements: empty when the bucket has no policy; undefined when unknown or not read.
   */
  readonly policyStatements?: readonly PolicyStatementFacts[] | undefined;
  /**
   * The bucket only receives other buckets' server access logs (the S3 log delivery target of some bucket of the
   * source, or tagged `access-logs`).
   */
  readonly logTarget?: boolean;
  /** An endpoint config of the source captures inference data to this bucket (its DestinationS3Uri). */
  readonly captureDestination?: boolean;
  /** All four public access block flags are true; undefined when unknown. */
  readonly publicAccessBlocked: boolean | undefined;
  /** Undefined when unknown. */
  readonly accessLogging: boolean | undefined;
  /**
   * A bucket policy statement denies every S3 action on the bucket and all its objects to every principal when
   * aws:SecureTransport is false (see `core/policy/resource-policy.ts`); undefined when the policy cannot be read.
   */
  readonly tlsOnly: boolean | undefined;
  /** Shortest enabled whole-bucket expiration of current objects, in days; undefined when none. */
  readonly expirationDays?: number;
  /** True when the lifecycle configuration is not shown (an intrinsic, or unreadable at run time). */
  readonly lifecycleUnknown?: boolean;
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

/**
 * One statement of an IAM policy document (identity or resource policy), normalized: lists are lists, and values an
 * adapter could not resolve are rendered (`${Param}`) so they never equal `*` by accident. `unknown` is true when
 * the statement (or its effect, actions or resources) is behind an intrinsic the source alone cannot evaluate.
 */
export interface PolicyStatementFacts {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny' | undefined;
  /** `*` for `"Principal": "*"`; otherwise the principal values of every type (AWS, Service, Federated...). */
  readonly principals: readonly string[];
  /** The statement used `NotPrincipal`: `principals` are the ones excluded. */
  readonly notPrincipal?: boolean;
  readonly actions: readonly string[];
  /** `NotAction` present: the statement covers every action except these. */
  readonly notActions?: readonly string[];
  readonly resources: readonly string[];
  /** `NotResource` present. */
  readonly notResources?: readonly string[];
  /** Conditions, one entry per operator and key, e.g. `{ operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] }`. */
  readonly conditions: readonly {
    readonly operator: string;
    readonly key: string;
    readonly values: readonly string[];
  }[];
  readonly unknown?: boolean;
  /** Which parts were not shown, when `unknown`. */
  readonly unknownParts?: readonly ('effect' | 'principal' | 'action' | 'resource' | 'condition')[];
}

/** A customer-managed KMS key and its key policy. */
export interface KeyFacts extends FactsBase {
  readonly kind: 'Key';
  /** What the key protects, from the `mlops:purpose` tag where set (e.g. `data-capture`). */
  readonly purpose?: string;
  /** Key policy statements; undefined when the policy is not shown (intrinsic, or not readable at run time). */
  readonly policyStatements: readonly PolicyStatementFacts[] | undefined;
  /** Automatic key rotation is on; undefined when unknown or not read. */
  readonly rotationEnabled?: boolean | undefined;
  /** The key spec (`SYMMETRIC_DEFAULT` when absent); undefined when unknown. Only symmetric keys rotate. */
  readonly keySpec?: string | undefined;
}

/** An IAM role's trust policy (who may assume it). */
export interface RoleFacts extends FactsBase {
  readonly kind: 'Role';
  /** Trust policy statements; undefined when the document is not shown. */
  readonly trustStatements: readonly PolicyStatementFacts[] | undefined;
}

/** One target of an event rule. */
export interface EventTargetFacts {
  /** The target's ARN as the source shows it (rendered). */
  readonly arn: string;
  /** The target's account: a 12-digit id, `SELF` for the rule's own account, undefined when unknown. */
  readonly account: string | undefined;
}

/** An EventBridge rule: which S3 events it matches and where it sends them. */
export interface EventRuleFacts extends FactsBase {
  readonly kind: 'EventRule';
  /**
   * The rule can match S3 events: its pattern's `source` includes `aws.s3` or does not filter on source; false for
   * a schedule or a pattern on other sources; undefined when the pattern is not shown.
   */
  readonly matchesS3: boolean | undefined;
  /**
   * Purposes of the buckets whose events the pattern matches, as far as the source shows them: `any` when the
   * pattern does not filter on bucket name; a bucket the source does not describe counts as `unknown`.
   */
  readonly bucketPurposes: 'any' | readonly (BucketPurpose | 'unknown')[];
  /** Targets; undefined when the target list is not shown. */
  readonly targets: readonly EventTargetFacts[] | undefined;
}

/** A CodeBuild project: its build environment. */
export interface BuildProjectFacts extends FactsBase {
  readonly kind: 'BuildProject';
  /** Docker daemon privileged mode; undefined when unknown. */
  readonly privilegedMode: boolean | undefined;
  /** PLAINTEXT environment variables (names and rendered values); undefined when the list is not shown. */
  readonly plaintextVariables: readonly { readonly name: string; readonly value: string }[] | undefined;
}

/**
 * An identity-based policy: a customer-managed policy or an inline (role/user/group) policy.
 * `attachedTo` lists the roles (logical ids or names) it is attached to, where known.
 */
export interface IdentityPolicyFacts extends FactsBase {
  readonly kind: 'IdentityPolicy';
  readonly attachedTo: readonly string[];
  /** Undefined when the document is not shown. */
  readonly statements: readonly PolicyStatementFacts[] | undefined;
}

export type ResourceFacts =
  | ModelFacts
  | EndpointConfigFacts
  | EndpointFacts
  | RepositoryFacts
  | BucketFacts
  | ImageFacts
  | KeyFacts
  | IdentityPolicyFacts
  | RoleFacts
  | EventRuleFacts
  | BuildProjectFacts;

export type ResourceKind = ResourceFacts['kind'];

export type FactsOf<K extends ResourceKind> = Extract<ResourceFacts, { kind: K }>;
