/**
 * Run-time adapter: AWS SDK v3 response shapes -> normalized facts.
 *
 * Pure mapping functions. They import the SDK's output *types* only (erased at compile time), never a client, so
 * the catalogue stays free of I/O and these functions are unit-testable with literal objects. The compliance checker
 * Lambda (lambda/compliance-checker) makes the calls and hands the responses here.
 *
 * Facts `id` is the resource ARN. A fact the response does not show stays `undefined` (rules read that as "not
 * shown"), except where the API's own documented default applies (e.g. a model without EnableNetworkIsolation runs
 * without isolation).
 */
import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  Tag as SageMakerTag,
} from '@aws-sdk/client-sagemaker';
import type {
  DescribeImageScanFindingsResponse,
  ImageDetail,
  RegistryScanningConfiguration,
  Repository,
  Tag as EcrTag,
} from '@aws-sdk/client-ecr';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type {
  GetBucketEncryptionOutput,
  GetBucketLifecycleConfigurationOutput,
  GetBucketLoggingOutput,
  GetBucketVersioningOutput,
  PublicAccessBlockConfiguration,
  Grant as S3Grant,
  Tag as S3Tag,
} from '@aws-sdk/client-s3';
import type { AttachedPolicy, Role } from '@aws-sdk/client-iam';
import { imageSourceOf } from './image-uri';
import { enforcesTls, normalizeStatements } from './policy-document';
import { deploymentOf } from './adapter-readings';
import {
  BucketFacts,
  BucketPurpose,
  KeyFacts,
  EndpointConfigFacts,
  EndpointFacts,
  IdentityPolicyFacts,
  ImageFacts,
  KeyRef,
  ModelFacts,
  RepositoryFacts,
  ResourceKind,
  RoleFacts,
  SEVERITIES,
  Severity,
  TAGS,
} from './facts';

/**
 * Tells whether a KMS key (id, ARN or alias, exactly as a resource property carries it) is customer-managed.
 * Returns undefined when it could not be determined (DescribeKey denied or not yet looked up).
 */
export type KeyLookup = (keyId: string) => boolean | undefined;

const UNKNOWN_KEYS: KeyLookup = () => undefined;

/** `KeyManager` of a DescribeKey result: CUSTOMER -> true, AWS -> false, absent -> undefined. */
export function isCustomerManaged(key: Pick<KeyMetadata, 'KeyManager'> | undefined): boolean | undefined {
  if (key?.KeyManager === 'CUSTOMER') return true;
  if (key?.KeyManager === 'AWS') return false;
  return undefined;
}

/** The region field of an ARN (`arn:partition:service:region:account:resource`), or undefined. */
export function regionOfArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] !== '' ? parts[3] : undefined;
}

/** The account field of an ARN, or undefined. */
export function accountOfArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' ? parts[4] : undefined;
}

/**
 * Tag lists (SageMaker `{Key, Value}` or ECR `{Key, Value}`) -> a record. `undefined` in, `undefined` out: a caller
 * that did not read tags must not claim "no tags".
 */
export function tagsToRecord(tags: readonly (SageMakerTag | EcrTag)[] | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const t of tags) {
    if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  }
  return out;
}

function keyRef(keyId: string | undefined, keys: KeyLookup): KeyRef | undefined {
  if (keyId === undefined || keyId === '') return undefined;
  return { id: keyId, customerManaged: keys(keyId) };
}

function required<T>(value: T | undefined, field: string, shape: string): T {
  if (value === undefined) {
    throw new TypeError(`${shape}.${field} is missing from the AWS response; the adapter cannot identify the resource`);
  }
  return value;
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** DescribeModel + ListTags -> ModelFacts. */
export function modelFacts(model: DescribeModelOutput, tags?: readonly SageMakerTag[]): ModelFacts {
  const arn = required(model.ModelArn, 'ModelArn', 'DescribeModelOutput');
  const containers = [...(model.PrimaryContainer ? [model.PrimaryContainer] : []), ...(model.Containers ?? [])];
  const images = [...new Set(containers.map((c) => c.Image).filter((i): i is string => i !== undefined && i !== ''))];
  const vpc = model.VpcConfig
    ? {
        subnetIds: [...(model.VpcConfig.Subnets ?? [])],
        securityGroupIds: [...(model.VpcConfig.SecurityGroupIds ?? [])],
      }
    : undefined;
  return withOptional<ModelFacts>(
    {
      kind: 'Model',
      id: arn,
      // The API default is false: a model created without the flag runs without network isolation.
      networkIsolation: model.EnableNetworkIsolation ?? false,
      images,
      imageSources: images.map(imageSourceOf),
    },
    {
      name: model.ModelName,
      region: regionOfArn(arn),
      account: accountOfArn(arn),
      tags: tagsToRecord(tags),
      vpc: vpc && vpc.subnetIds.length > 0 ? vpc : undefined,
      executionRoleArn: model.ExecutionRoleArn,
    },
  );
}

/** DescribeEndpointConfig + ListTags (+ the KMS key lookup) -> EndpointConfigFacts. */
export function endpointConfigFacts(
  config: DescribeEndpointConfigOutput,
  tags?: readonly SageMakerTag[],
  keys: KeyLookup = UNKNOWN_KEYS,
): EndpointConfigFacts {
  const arn = required(config.EndpointConfigArn, 'EndpointConfigArn', 'DescribeEndpointConfigOutput');
  const dc = config.DataCaptureConfig;
  const modes = new Set((dc?.CaptureOptions ?? []).map((o) => o.CaptureMode));
  const dataCapture = dc
    ? withOptional(
        {
          // EnableCapture is optional in the API and defaults to true when a DataCaptureConfig is present.
          enabled: dc.EnableCapture ?? true,
          // Required by the API; if a response ever lacks it, it is unknown, never a guessed 0.
          samplingPercent: dc.InitialSamplingPercentage,
          captureInput: modes.has('Input') || modes.has('InputAndOutput'),
          captureOutput: modes.has('Output') || modes.has('InputAndOutput'),
        },
        { kmsKey: keyRef(dc.KmsKeyId, keys), destinationS3Uri: dc.DestinationS3Uri },
      )
    : undefined;
  const modelNames = [
    ...new Set(
      [...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])]
        .map((v) => v.ModelName)
        .filter((n): n is string => n !== undefined && n !== ''),
    ),
  ];
  return withOptional<EndpointConfigFacts>(
    { kind: 'EndpointConfig', id: arn, modelNames },
    {
      name: config.EndpointConfigName,
      region: regionOfArn(arn),
      tags: tagsToRecord(tags),
      kmsKey: keyRef(config.KmsKeyId, keys),
      dataCapture,
    },
  );
}

/**
 * LastDeploymentConfig has the same shape as the template's DeploymentConfig, so both adapters map it with the one
 * function (`deploymentOf`): a rolling update is recorded as ROLLING by both, and the rule decides.
 */
function rolloutOf(endpoint: DescribeEndpointOutput): EndpointFacts['deployment'] {
  return deploymentOf(endpoint.LastDeploymentConfig);
}

/** DescribeEndpoint + ListTags -> EndpointFacts; `environment` comes from the Environment tag. */
export function endpointFacts(endpoint: DescribeEndpointOutput, tags?: readonly SageMakerTag[]): EndpointFacts {
  const arn = required(endpoint.EndpointArn, 'EndpointArn', 'DescribeEndpointOutput');
  const tagRecord = tagsToRecord(tags);
  return withOptional<EndpointFacts>(
    { kind: 'Endpoint', id: arn },
    {
      name: endpoint.EndpointName,
      region: regionOfArn(arn),
      tags: tagRecord,
      endpointConfigName: endpoint.EndpointConfigName,
      environment: tagRecord?.[TAGS.ENVIRONMENT],
      deployment: rolloutOf(endpoint),
    },
  );
}

function wildcardMatch(filter: string, name: string): boolean {
  const re = new RegExp(
    `^${filter
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/**
 * Whether the registry-level scanning configuration scans this repository on push (or continuously).
 * Under ENHANCED scanning, ECR ignores the repository-level scanOnPush flag; under BASIC, both apply.
 */
export function registryScansOnPush(
  config: RegistryScanningConfiguration | undefined,
  repositoryName: string,
): boolean {
  if (!config) return false;
  const enhanced = config.scanType === 'ENHANCED';
  return (config.rules ?? []).some(
    (rule) =>
      (rule.scanFrequency === 'SCAN_ON_PUSH' || (enhanced && rule.scanFrequency === 'CONTINUOUS_SCAN')) &&
      (rule.repositoryFilters ?? []).some((f) => f.filter !== undefined && wildcardMatch(f.filter, repositoryName)),
  );
}

export interface RepositoryExtras {
  /** ListTagsForResource result. */
  readonly tags?: readonly EcrTag[];
  /** GetLifecyclePolicy found a policy (LifecyclePolicyNotFoundException -> false). */
  readonly hasLifecyclePolicy: boolean;
  /** GetRegistryScanningConfiguration's `scanningConfiguration`; undefined when it could not be read. */
  readonly registryScanning?: RegistryScanningConfiguration;
  readonly keys?: KeyLookup;
  /**
   * GetRepositoryPolicy's `policyText`: null when the repository has none (RepositoryPolicyNotFoundException),
   * undefined when it was not read (the policy is then unknown).
   */
  readonly policy?: string | null;
}

/** DescribeRepositories item + lifecycle policy + registry scanning configuration -> RepositoryFacts. */
export function repositoryFacts(repo: Repository, extras: RepositoryExtras): RepositoryFacts {
  const arn = required(repo.repositoryArn, 'repositoryArn', 'Repository');
  const name = required(repo.repositoryName, 'repositoryName', 'Repository');
  const keys = extras.keys ?? UNKNOWN_KEYS;
  const enhanced = extras.registryScanning?.scanType === 'ENHANCED';
  const repoScanOnPush = !enhanced && (repo.imageScanningConfiguration?.scanOnPush ?? false);
  const enc = repo.encryptionConfiguration;
  const type = enc?.encryptionType ?? 'AES256';
  // KMS without a key ARN means ECR's AWS-managed key (aws/ecr): known not to be customer-managed.
  const kmsKey: KeyRef | undefined =
    type === 'AES256'
      ? undefined
      : enc?.kmsKey
        ? keyRef(enc.kmsKey, keys)
        : { id: 'alias/aws/ecr', customerManaged: false };
  return withOptional<RepositoryFacts>(
    {
      kind: 'Repository',
      id: arn,
      name,
      // IMMUTABLE_WITH_EXCLUSION leaves some tags mutable, so only plain IMMUTABLE counts.
      tagImmutable: repo.imageTagMutability === 'IMMUTABLE',
      scanOnPush: repoScanOnPush || registryScansOnPush(extras.registryScanning, name),
      encryption: kmsKey ? { type, kmsKey } : { type },
      hasLifecyclePolicy: extras.hasLifecyclePolicy,
      policyStatements:
        extras.policy === undefined ? undefined : extras.policy === null ? [] : normalizeStatements(extras.policy),
    },
    { region: regionOfArn(arn), tags: tagsToRecord(extras.tags) },
  );
}

const KNOWN_SEVERITIES = new Set<string>(SEVERITIES);

function severityCounts(
  counts: Partial<Record<string, number>> | undefined,
): Partial<Record<Severity | 'UNDEFINED', number>> {
  const out: Partial<Record<Severity | 'UNDEFINED', number>> = {};
  for (const [sev, n] of Object.entries(counts ?? {})) {
    if (n === undefined) continue;
    // Enhanced scanning also reports UNTRIAGED; it joins ECR's own bucket for unrated findings.
    const key = (KNOWN_SEVERITIES.has(sev) ? sev : 'UNDEFINED') as Severity | 'UNDEFINED';
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * DescribeImages item (+ DescribeImageScanFindings when DescribeImages carried no scan summary) -> ImageFacts.
 * `repositoryArn` gives the image its ARN-based id: `<repositoryArn>@<digest>`.
 */
export function imageFacts(
  detail: ImageDetail,
  repositoryArn: string,
  findings?: Pick<DescribeImageScanFindingsResponse, 'imageScanStatus' | 'imageScanFindings'>,
): ImageFacts {
  const digest = required(detail.imageDigest, 'imageDigest', 'ImageDetail');
  const repositoryName = required(detail.repositoryName, 'repositoryName', 'ImageDetail');
  const status = findings?.imageScanStatus?.status ?? detail.imageScanStatus?.status;
  const completedAt = iso(
    findings?.imageScanFindings?.imageScanCompletedAt ?? detail.imageScanFindingsSummary?.imageScanCompletedAt,
  );
  const counts =
    findings?.imageScanFindings?.findingSeverityCounts ?? detail.imageScanFindingsSummary?.findingSeverityCounts;
  const scan =
    status === undefined
      ? undefined
      : withOptional<NonNullable<ImageFacts['scan']>>(
          { status, findingSeverityCounts: severityCounts(counts) },
          { completedAt },
        );
  const tags = detail.imageTags ?? [];
  return withOptional<ImageFacts>(
    { kind: 'Image', id: `${repositoryArn}@${digest}`, repositoryName, digest, imageTags: [...tags] },
    { name: `${repositoryName}@${digest}`, region: regionOfArn(repositoryArn), scan },
  );
}

/** An ECR image reference parsed from a model container image URI. */
export interface EcrImageRef {
  readonly registryId: string;
  readonly region: string;
  readonly repositoryName: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>[:tag|@sha256:...]` -> parts; undefined for non-ECR images. */
export function parseEcrImageUri(uri: string): EcrImageRef | undefined {
  const m =
    /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(
      uri,
    );
  if (!m) return undefined;
  const [, registryId, region, repositoryName, tag, digest] = m as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  return withOptional<EcrImageRef>({ registryId, region, repositoryName }, { tag, digest });
}

/**
 * AWS Config resource types (ComplianceResourceType) of the kinds the run-time checker reads. Buckets and images
 * are judged by the scheduled scan and the pipeline gate only: the checker does not report them to Config.
 */
export const CONFIG_RESOURCE_TYPES = {
  Model: 'AWS::SageMaker::Model',
  EndpointConfig: 'AWS::SageMaker::EndpointConfig',
  Endpoint: 'AWS::SageMaker::Endpoint',
  Repository: 'AWS::ECR::Repository',
} as const satisfies Partial<Record<ResourceKind, string>>;

export type ConfigKind = keyof typeof CONFIG_RESOURCE_TYPES;

/** The kind of a Config resource type, or undefined for types the checker does not read. */
export function kindOfConfigType(resourceType: string): ConfigKind | undefined {
  return (Object.keys(CONFIG_RESOURCE_TYPES) as ConfigKind[]).find((k) => CONFIG_RESOURCE_TYPES[k] === resourceType);
}

/** Kinds of `appliesTo` that AWS Config can be told about, in a stable order. */
export function configKindsOf(appliesTo: readonly ResourceKind[]): ConfigKind[] {
  return (Object.keys(CONFIG_RESOURCE_TYPES) as ConfigKind[]).filter((k) => appliesTo.includes(k));
}

/**
 * What the S3 configuration reads of one bucket returned. Each field is the API's answer; `undefined` means the read
 * failed (the collector records the error), and the facts then say "unknown" for what it would have shown. A read
 * that answered "not configured" (NoSuchBucketPolicy, NoSuchLifecycleConfiguration...) is given as `null`.
 */
export interface BucketReads {
  readonly name: string;
  readonly region: string;
  readonly encryption?: GetBucketEncryptionOutput | null;
  /** GetBucketPolicy's `Policy` JSON. */
  readonly policy?: string | null;
  readonly publicAccessBlock?: PublicAccessBlockConfiguration | null;
  readonly versioning?: GetBucketVersioningOutput | null;
  readonly lifecycle?: GetBucketLifecycleConfigurationOutput | null;
  readonly logging?: GetBucketLoggingOutput | null;
  readonly tags?: readonly S3Tag[] | null;
  /** GetBucketAcl's grants. */
  readonly aclGrants?: readonly S3Grant[] | null;
}

/** The ACL groups that open a bucket to everyone (AllUsers) or every AWS account (AuthenticatedUsers). */
const PUBLIC_ACL_GROUPS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];

const BUCKET_PURPOSES: readonly BucketPurpose[] = ['data-capture', 'artifacts', 'access-logs', 'reports', 'other'];

/** S3 configuration reads -> BucketFacts; the same questions the CloudFormation adapter answers from a template. */
export function bucketFacts(reads: BucketReads, keys: KeyLookup = UNKNOWN_KEYS): BucketFacts {
  const tags = reads.tags === undefined ? undefined : tagsToRecord(reads.tags ?? []);
  const purposeTag = tags?.[TAGS.PURPOSE] as BucketPurpose | undefined;
  const sse = reads.encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
  const algorithm = sse?.SSEAlgorithm;
  const type: BucketFacts['encryption']['type'] =
    reads.encryption === undefined
      ? undefined
      : algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse' || algorithm === 'AES256'
        ? algorithm
        : reads.encryption === null || algorithm === undefined
          ? 'AES256'
          : undefined;
  const kmsKey: KeyRef | undefined =
    type === 'aws:kms' || type === 'aws:kms:dsse'
      ? sse?.KMSMasterKeyID
        ? {
            id: sse.KMSMasterKeyID,
            customerManaged: /(^|:)alias\/aws\//.test(sse.KMSMasterKeyID) ? false : keys(sse.KMSMasterKeyID),
          }
        : { id: 'alias/aws/s3', customerManaged: false }
      : undefined;
  const pab = reads.publicAccessBlock;
  const arn = `arn:aws:s3:::${reads.name}`;
  const lifecycleRules = (reads.lifecycle?.Rules ?? []).filter((r) => {
    if (r.Status !== 'Enabled') return false;
    const f = r.Filter;
    const prefix = r.Prefix ?? f?.Prefix ?? f?.And?.Prefix;
    const tagged = f?.Tag !== undefined || (f?.And?.Tags?.length ?? 0) > 0;
    const sized =
      f?.ObjectSizeGreaterThan !== undefined ||
      f?.ObjectSizeLessThan !== undefined ||
      f?.And?.ObjectSizeGreaterThan !== undefined ||
      f?.And?.ObjectSizeLessThan !== undefined;
    return (prefix === undefined || prefix === '') && !tagged && !sized;
  });
  const min = (xs: (number | undefined)[]) => {
    const known = xs.filter((x): x is number => x !== undefined);
    return known.length > 0 ? Math.min(...known) : undefined;
  };
  const expirationDays = min(lifecycleRules.map((r) => r.Expiration?.Days));
  const noncurrentExpirationDays = min(
    lifecycleRules.map((r) =>
      (r.NoncurrentVersionExpiration?.NewerNoncurrentVersions ?? 0) > 0
        ? undefined
        : r.NoncurrentVersionExpiration?.NoncurrentDays,
    ),
  );
  const statements =
    reads.policy === undefined ? undefined : reads.policy === null ? [] : normalizeStatements(reads.policy);
  return withOptional<BucketFacts>(
    {
      kind: 'Bucket',
      id: arn,
      name: reads.name,
      region: reads.region,
      purpose: purposeTag !== undefined && BUCKET_PURPOSES.includes(purposeTag) ? purposeTag : 'other',
      encryption: kmsKey ? { type, kmsKey } : { type },
      versioned: reads.versioning === undefined ? undefined : reads.versioning?.Status === 'Enabled',
      publicAccessBlocked:
        pab === undefined
          ? undefined
          : pab !== null &&
            pab.BlockPublicAcls === true &&
            pab.BlockPublicPolicy === true &&
            pab.IgnorePublicAcls === true &&
            pab.RestrictPublicBuckets === true,
      accessLogging: reads.logging === undefined ? undefined : reads.logging?.LoggingEnabled !== undefined,
      tlsOnly: enforcesTls(statements, [reads.name]),
      policyStatements: statements,
      publicAcl:
        reads.aclGrants === undefined
          ? undefined
          : (reads.aclGrants ?? []).some((g) => PUBLIC_ACL_GROUPS.includes(g.Grantee?.URI ?? '')),
    },
    {
      tags,
      // An unreadable lifecycle configuration leaves retention unknown; the rule reads undefined as "none shown".
      lifecycleUnknown: reads.lifecycle === undefined ? true : undefined,
      expirationDays,
      noncurrentExpirationDays,
    },
  );
}

/**
 * DescribeKey metadata + GetKeyPolicy's `Policy` JSON -> KeyFacts (customer-managed keys: their policy is the
 * organisation's to get right). `policy` undefined: it could not be read, so the key policy is unknown.
 */
export function keyFacts(
  key: Pick<KeyMetadata, 'Arn' | 'KeyId' | 'Description' | 'KeySpec'>,
  policy: string | undefined,
  rotationEnabled?: boolean,
): KeyFacts {
  const arn = required(key.Arn, 'Arn', 'KeyMetadata');
  return withOptional<KeyFacts>(
    {
      kind: 'Key',
      id: arn,
      policyStatements: policy === undefined ? undefined : normalizeStatements(policy),
      // DescribeKey always returns KeySpec; GetKeyRotationStatus undefined: not read (the rule says unknown).
      keySpec: key.KeySpec ?? 'SYMMETRIC_DEFAULT',
    },
    { name: key.KeyId, region: regionOfArn(arn), account: accountOfArn(arn), rotationEnabled },
  );
}

/** The name of a role ARN (`arn:aws:iam::111122223333:role/path/name` -> `name`), or undefined. */
export function roleNameOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/**
 * An AWS-managed policy (`arn:aws:iam::aws:policy/...`). The catalogue judges the documents of customer-managed and
 * inline policies only: at synth a template names AWS-managed policies by ARN without their document (cdk-nag's
 * AwsSolutions-IAM4 judges their use), so reading their documents at run time would judge what synth cannot.
 */
export function isAwsManagedPolicy(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/**
 * GetRole's role -> RoleFacts (MLOPS-IAM-2). `role` undefined: GetRole failed, so the trust policy is unknown and the
 * role is described by its ARN alone. `usedBy`: the judged resources (models) whose role it is.
 */
export function roleFacts(
  arn: string,
  role: Pick<Role, 'Arn' | 'RoleName' | 'AssumeRolePolicyDocument'> | undefined,
  usedBy?: readonly string[],
): RoleFacts {
  const doc = role?.AssumeRolePolicyDocument;
  return withOptional<RoleFacts>(
    // IAM returns the document URL-encoded; normalizeStatements decodes it. A role without one: the document is not
    // shown (never an empty, "trusts nobody" policy).
    { kind: 'Role', id: role?.Arn ?? arn, trustStatements: doc === undefined ? undefined : normalizeStatements(doc) },
    { name: role?.RoleName ?? roleNameOfArn(arn), account: accountOfArn(arn), usedBy },
  );
}

/**
 * A role's inline policies (ListRolePolicies + GetRolePolicy) -> one IdentityPolicyFacts with the role's ARN as id,
 * as the CloudFormation adapter describes a role's `Policies`. `documents` undefined (the listing failed) or holding
 * undefined (one read failed): the statements are unknown. No inline policy: no facts (nothing to judge).
 */
export function inlinePoliciesFacts(
  roleArn: string,
  documents: readonly (string | undefined)[] | undefined,
  usedBy?: readonly string[],
): IdentityPolicyFacts | undefined {
  if (documents !== undefined && documents.length === 0) return undefined;
  const docs = documents?.map((d) => (d === undefined ? undefined : normalizeStatements(d)));
  const name = roleNameOfArn(roleArn);
  return withOptional<IdentityPolicyFacts>(
    {
      kind: 'IdentityPolicy',
      id: roleArn,
      attachedTo: name !== undefined ? [name] : [],
      statements: docs === undefined || docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []),
    },
    { name, account: accountOfArn(roleArn), usedBy },
  );
}

/**
 * A customer-managed policy attached to roles (ListAttachedRolePolicies, then GetPolicy + GetPolicyVersion of its
 * default version) -> IdentityPolicyFacts. `document` undefined: it could not be read, so the statements are unknown.
 */
export function managedPolicyFacts(
  policy: Required<Pick<AttachedPolicy, 'PolicyArn'>> & Pick<AttachedPolicy, 'PolicyName'>,
  document: string | undefined,
  attachedTo: readonly string[],
  usedBy?: readonly string[],
): IdentityPolicyFacts {
  const arn = policy.PolicyArn;
  return withOptional<IdentityPolicyFacts>(
    {
      kind: 'IdentityPolicy',
      id: arn,
      attachedTo: [...attachedTo],
      statements: document === undefined ? undefined : normalizeStatements(document),
    },
    { name: policy.PolicyName, account: accountOfArn(arn), usedBy },
  );
}
