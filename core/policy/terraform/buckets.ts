/**
 * Facts of a plan's S3 buckets, joined from the resources Terraform splits a bucket into (encryption, public
 * access block, versioning, logging, lifecycle, ACL, policy).
 */
import { awsManagedKey, bucketPurpose, minimum, noncurrentDays, str } from '../adapter-readings';
import { BucketFacts, TAGS } from '../facts';
import { enforcesTls, normalizeStatements } from '../policy-document';
import { base, blockCount, joinedPolicies, keyRef, tagsOf } from './attributes';
import { Instance, parentOf, PlanIndex } from './plan-index';
import { arr, at, num, Path } from './plan';

/** Canned ACLs that grant to AllUsers or AuthenticatedUsers. */
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

/** `aws_s3_bucket_acl` (canned ACL or grants) or the bucket's legacy `acl`: grants to a public group. */
function publicAcl(inst: Instance, acls: readonly Instance[]): boolean | undefined {
  const verdicts = [inst, ...acls].map((a) => {
    // The provider computes `acl` and `access_control_policy` when they are not configured: unknown only if set.
    const unknown = (attr: string) => a.unknown([attr]) && a.expression([attr]) !== undefined;
    if (unknown('acl') || unknown('access_control_policy')) return undefined;
    const canned = str(a.known(['acl']));
    if (canned !== undefined && PUBLIC_CANNED_ACLS.has(canned)) return true;
    const grants = arr(a.known(['access_control_policy', 0, 'grant']));
    return grants.some((g) => PUBLIC_GROUPS.test(str(at(g, ['grantee', 0, 'uri'])) ?? ''));
  });
  return verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;
}

/** An enabled lifecycle rule that filters nothing (no prefix, tag or size bound) bounds the whole bucket. */
function wholeBucket(rule: unknown): boolean {
  if (at(rule, ['status']) !== 'Enabled') return false;
  const prefix = at(rule, ['prefix']);
  if (prefix !== undefined && prefix !== null && prefix !== '') return false;
  return arr(at(rule, ['filter'])).every((f) => {
    const p = at(f, ['prefix']);
    return (
      (p === undefined || p === null || p === '') &&
      arr(at(f, ['tag'])).length === 0 &&
      arr(at(f, ['and'])).length === 0 &&
      (at(f, ['object_size_greater_than']) ?? null) === null &&
      (at(f, ['object_size_less_than']) ?? null) === null
    );
  });
}

export function bucketFacts(inst: Instance, index: PlanIndex, region: string | undefined): BucketFacts {
  const children = (type: string) =>
    index.ofType(type).filter((c) => parentOf(index, c, 'bucket', 'aws_s3_bucket', 'bucket') === inst);

  const sse = children('aws_s3_bucket_server_side_encryption_configuration')[0];
  const byDefault: Path = ['rule', 0, 'apply_server_side_encryption_by_default', 0];
  const algorithm = sse !== undefined ? str(sse.known([...byDefault, 'sse_algorithm'])) : undefined;
  // Since January 2023 S3 encrypts every bucket with SSE-S3 when nothing else is configured; an unknown algorithm
  // is taken as the weakest, AES256.
  const type: BucketFacts['encryption']['type'] =
    algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse' ? algorithm : 'AES256';
  const kmsKey =
    type === 'AES256' || sse === undefined
      ? undefined
      : (keyRef(sse, [...byDefault, 'kms_master_key_id']) ?? awsManagedKey('s3'));

  const pab = children('aws_s3_bucket_public_access_block')[0];
  const publicAccessBlocked =
    pab !== undefined &&
    ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every(
      (k) => pab.known([k]) === true,
    );

  const versioned =
    children('aws_s3_bucket_versioning').some(
      (v) => v.known(['versioning_configuration', 0, 'status']) === 'Enabled',
    ) || inst.known(['versioning', 0, 'enabled']) === true;

  const accessLogging =
    children('aws_s3_bucket_logging').some(
      (l) => l.unknown(['target_bucket']) || str(l.known(['target_bucket'])) !== undefined,
    ) || blockCount(inst, ['logging']) > 0;

  const rules = children('aws_s3_bucket_lifecycle_configuration')
    .flatMap((l) => arr(l.known(['rule'])))
    .filter(wholeBucket);
  const expirationDays = minimum(rules.map((r) => num(at(r, ['expiration', 0, 'days']))));
  const noncurrentExpirationDays = minimum(
    rules.map((r) => {
      const nve = at(r, ['noncurrent_version_expiration', 0]);
      return noncurrentDays(num(at(nve, ['noncurrent_days'])), num(at(nve, ['newer_noncurrent_versions'])));
    }),
  );

  // The same TLS reading as every adapter (policy-document.ts); a policy not known at plan time is unknown.
  const names = [str(inst.known(['bucket']))].filter((n): n is string => n !== undefined);
  const verdicts = children('aws_s3_bucket_policy').map((p) =>
    enforcesTls(normalizeStatements(p.known(['policy'])), names),
  );
  const tlsOnly = verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;
  // A log delivery target: some bucket's aws_s3_bucket_logging names this one as its target.
  const logTarget = index
    .ofType('aws_s3_bucket_logging')
    .some((l) => parentOf(index, l, 'bucket', 'aws_s3_bucket', 'bucket') !== inst && isLogTargetOf(index, l, inst));

  return {
    ...base(inst, 'bucket', region),
    kind: 'Bucket',
    purpose: bucketPurpose(tagsOf(inst)?.[TAGS.PURPOSE]),
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    versioned,
    publicAcl: publicAcl(inst, children('aws_s3_bucket_acl')),
    policyStatements: joinedPolicies(children('aws_s3_bucket_policy')),
    ...(logTarget ? { logTarget } : {}),
    publicAccessBlocked,
    accessLogging,
    tlsOnly,
    ...(expirationDays !== undefined ? { expirationDays } : {}),
    ...(noncurrentExpirationDays !== undefined ? { noncurrentExpirationDays } : {}),
  };
}

/** The logging resource delivers to `bucket`: by its known name, else by a reference to it. */
function isLogTargetOf(index: PlanIndex, logging: Instance, bucket: Instance): boolean {
  const name = str(bucket.known(['bucket']));
  const target = str(logging.known(['target_bucket']));
  if (name !== undefined && target !== undefined) return name === target;
  return index.referenced(logging, ['target_bucket'], ['aws_s3_bucket']) === bucket;
}
