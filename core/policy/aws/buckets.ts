/** S3 configuration reads of one bucket -> BucketFacts, answering what the other adapters answer from a source. */
import type {
  GetBucketEncryptionOutput,
  GetBucketLifecycleConfigurationOutput,
  GetBucketLoggingOutput,
  GetBucketVersioningOutput,
  PublicAccessBlockConfiguration,
  Grant as S3Grant,
  Tag as S3Tag,
} from '@aws-sdk/client-s3';
import { AWS_MANAGED_ALIAS, awsManagedKey, bucketPurpose, minimum, noncurrentDays } from '../adapter-readings';
import { BucketFacts, KeyRef, TAGS } from '../facts';
import { enforcesTls, normalizeStatements } from '../policy-document';
import { KeyLookup, tagsToRecord, UNKNOWN_KEYS, withOptional } from './readers';

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

/** S3 configuration reads -> BucketFacts; the same questions the CloudFormation adapter answers from a template. */
export function bucketFacts(reads: BucketReads, keys: KeyLookup = UNKNOWN_KEYS): BucketFacts {
  const tags = reads.tags === undefined ? undefined : tagsToRecord(reads.tags ?? []);
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
            customerManaged: AWS_MANAGED_ALIAS.test(sse.KMSMasterKeyID) ? false : keys(sse.KMSMasterKeyID),
          }
        : awsManagedKey('s3')
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
  const expirationDays = minimum(lifecycleRules.map((r) => r.Expiration?.Days));
  const noncurrentExpirationDays = minimum(
    lifecycleRules.map((r) =>
      noncurrentDays(
        r.NoncurrentVersionExpiration?.NoncurrentDays,
        r.NoncurrentVersionExpiration?.NewerNoncurrentVersions,
      ),
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
      purpose: bucketPurpose(tags?.[TAGS.PURPOSE]),
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
