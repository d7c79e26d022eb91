/**
 * Facts of a template's S3 buckets: encryption, public access, versioning, ACL, logging and lifecycle, with
 * the bucket's policy as joined from the template's bucket policies.
 */
import { arr, awsManagedKey, bucketPurpose, hidden, minimum, noncurrentDays, obj, Obj } from '../adapter-readings';
import { BucketPolicyFacts } from './bucket-joins';
import { keyRef } from './references';
import { CfnResource, FromTemplateOptions } from './template';
import { base, flag, literalTag, num } from './values';
import { BucketFacts, TAGS } from '../facts';

/**
 * A lifecycle rule bounds the retention of the whole bucket only when it is enabled and filters nothing: no prefix,
 * no tag filters, no object size bounds. A rule for part of the bucket says nothing about the rest.
 */
function wholeBucketRules(props: Obj): Obj[] {
  const rules = arr(obj(props.LifecycleConfiguration)?.Rules) ?? [];
  return rules.flatMap((r) => {
    const rule = obj(r);
    if (rule === undefined || rule.Status !== 'Enabled') return [];
    if (rule.Prefix !== undefined && rule.Prefix !== '') return [];
    const tagFilters = rule.TagFilters;
    if (tagFilters !== undefined && !(Array.isArray(tagFilters) && tagFilters.length === 0)) return [];
    if (rule.ObjectSizeGreaterThan !== undefined || rule.ObjectSizeLessThan !== undefined) return [];
    return [rule];
  });
}

/** Canned ACLs that grant to AllUsers or AuthenticatedUsers. */
const PUBLIC_CANNED_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);

export function bucketFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  policy: BucketPolicyFacts,
  logTarget: boolean,
  opts: FromTemplateOptions,
): BucketFacts {
  const sseConfig = obj(props.BucketEncryption)?.ServerSideEncryptionConfiguration;
  const sseRule = arr(sseConfig)?.map(obj)[0];
  const sse = obj(sseRule?.ServerSideEncryptionByDefault);
  const rawAlgorithm = sse?.SSEAlgorithm;
  // Since January 2023 S3 encrypts every bucket with SSE-S3 when nothing else is configured; an algorithm (or the
  // whole encryption block) behind an intrinsic is unknown.
  const encryptionHidden =
    hidden(props.BucketEncryption) || hidden(sseConfig) || hidden(sseRule?.ServerSideEncryptionByDefault);
  const type: BucketFacts['encryption']['type'] = encryptionHidden
    ? undefined
    : rawAlgorithm === undefined
      ? 'AES256'
      : rawAlgorithm === 'aws:kms' || rawAlgorithm === 'aws:kms:dsse' || rawAlgorithm === 'AES256'
        ? rawAlgorithm
        : undefined;
  let kmsKey = type === 'aws:kms' || type === 'aws:kms:dsse' ? keyRef(sse?.KMSMasterKeyID, resources) : undefined;
  // SSE-KMS without a key id means the AWS-managed aws/s3 key.
  if ((type === 'aws:kms' || type === 'aws:kms:dsse') && kmsKey === undefined) {
    kmsKey = awsManagedKey('s3');
  }
  const pabProp = props.PublicAccessBlockConfiguration;
  const pab = obj(pabProp);
  const pabFlags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].map((k) =>
    flag(pab?.[k], false),
  );
  const publicAccessBlocked = hidden(pabProp)
    ? undefined
    : pab === undefined || pabFlags.includes(false)
      ? false
      : pabFlags.includes(undefined)
        ? undefined
        : true;
  const versioning = props.VersioningConfiguration;
  const status = obj(versioning)?.Status;
  const versioned = hidden(versioning)
    ? undefined
    : versioning === undefined
      ? false
      : typeof status === 'string'
        ? status === 'Enabled'
        : undefined;
  const rules = wholeBucketRules(props);
  const expirationDays = minimum(rules.map((r) => num(r.ExpirationInDays)));
  const noncurrentExpirationDays = minimum(
    rules.flatMap((r) => {
      const nve = obj(r.NoncurrentVersionExpiration);
      return [
        noncurrentDays(num(nve?.NoncurrentDays), num(nve?.NewerNoncurrentVersions)),
        num(r.NoncurrentVersionExpirationInDays),
      ];
    }),
  );
  return {
    ...base(id, props, 'BucketName', opts),
    kind: 'Bucket',
    purpose: bucketPurpose(literalTag(props, TAGS.PURPOSE)),
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    versioned,
    publicAcl:
      props.AccessControl === undefined
        ? false
        : typeof props.AccessControl === 'string'
          ? PUBLIC_CANNED_ACLS.has(props.AccessControl)
          : undefined,
    policyStatements: policy.statements,
    ...(logTarget ? { logTarget } : {}),
    publicAccessBlocked,
    accessLogging: hidden(props.LoggingConfiguration) ? undefined : props.LoggingConfiguration !== undefined,
    tlsOnly: policy.tlsOnly,
    ...(hidden(props.LifecycleConfiguration) ? { lifecycleUnknown: true } : {}),
    ...(expirationDays !== undefined ? { expirationDays } : {}),
    ...(noncurrentExpirationDays !== undefined ? { noncurrentExpirationDays } : {}),
  };
}
