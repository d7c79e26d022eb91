/**
 * ECR responses -> facts: a repository (with its lifecycle, registry scanning and repository policy), an image and
 * its scan findings; and the parts of an ECR image URI.
 */
import type {
  DescribeImageScanFindingsResponse,
  ImageDetail,
  RegistryScanningConfiguration,
  Repository,
  Tag as EcrTag,
} from '@aws-sdk/client-ecr';
import { awsManagedKey, wildcardMatches } from '../adapter-readings';
import { ImageFacts, KeyRef, RepositoryFacts, SEVERITIES, Severity } from '../facts';
import { normalizeStatements } from '../policy-document';
import { KeyLookup, keyRef, regionOfArn, required, tagsToRecord, UNKNOWN_KEYS, withOptional } from './readers';

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
      (rule.repositoryFilters ?? []).some((f) => f.filter !== undefined && wildcardMatches(f.filter, repositoryName)),
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
    type === 'AES256' ? undefined : enc?.kmsKey ? keyRef(enc.kmsKey, keys) : awsManagedKey('ecr');
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
