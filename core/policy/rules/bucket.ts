/**
 * Bucket rules (area BUCKET): data capture, artefacts and reports live in S3, so every bucket is private, encrypted,
 * reachable over TLS only, and its access is logged.
 */
import { compliant, defineRule, nonCompliant, notApplicable, RuleResult, unknownValue } from '../rule';
import { BucketFacts } from '../facts';
import { judgeCustomerManagedKey } from './kms-key';
import { judgeOpenToAnyPrincipal } from './resource-policy';

/** Tagged as the access-log bucket, or shown by the source to be another bucket's log delivery target. */
const isLogTarget = (facts: BucketFacts) => facts.purpose === 'access-logs' || facts.logTarget === true;

/** What a yes/no setting's verdict says: the unknown reading, and the reason when it is as required or not. */
interface SettingText {
  readonly what: string;
  readonly required: string;
  readonly met: string;
  readonly unmet: string;
}

/** A yes/no setting that must be `wanted`: unknown when the source does not show it, else compliant or not. */
function judgeSetting(value: boolean | undefined, wanted: boolean, text: SettingText): RuleResult {
  if (value === undefined) return unknownValue(text.what, text.required);
  return value === wanted ? compliant(text.met) : nonCompliant(text.unmet);
}

export const bucketAccessLogging = defineRule({
  id: 'MLOPS-BUCKET-1',
  title: 'Buckets log access to an access-log bucket',
  severity: 'MEDIUM',
  rationale:
    'Server access logs show who read captured data and model artefacts; without them a breach cannot be scoped ' +
    '(GDPR Art. 33 notification needs to know what was accessed).',
  remediation:
    'Set LoggingConfiguration.DestinationBucketName to the platform’s access-log bucket (serverAccessLogsBucket in CDK).',
  references: {
    gdpr: ['Art. 33(3)', 'Art. 5(2)'],
    nist80053: ['AU-2', 'AU-12'],
    awsConfigRule: 'S3_BUCKET_LOGGING_ENABLED',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    // Logging the log bucket into itself (or elsewhere) would loop or sprawl; its own access is covered by CloudTrail.
    // AWS guidance: a log target does not log to itself (each delivery would log another one).
    if (isLogTarget(facts)) return notApplicable('the bucket is itself an access-log bucket (a log delivery target)');
    return judgeSetting(facts.accessLogging, true, {
      what: 'server access logging',
      required: 'it must be enabled',
      met: 'server access logging is enabled',
      unmet: `server access logging is disabled on this ${facts.purpose} bucket; it must be enabled`,
    });
  },
});

export const bucketTlsOnly = defineRule({
  id: 'MLOPS-BUCKET-2',
  title: 'Buckets refuse requests that are not over TLS',
  severity: 'HIGH',
  rationale: 'A bucket that accepts plain HTTP lets a misconfigured client send captured personal data in clear text.',
  remediation:
    'Add a bucket policy statement that denies s3:* to every principal when aws:SecureTransport is false ' +
    '(enforceSSL: true in CDK).',
  references: { gdpr: ['Art. 32(1)(a)'], nist80053: ['SC-8', 'SC-8(1)'], awsConfigRule: 'S3_BUCKET_SSL_REQUESTS_ONLY' },
  appliesTo: ['Bucket'],
  check(facts) {
    return judgeSetting(facts.tlsOnly, true, {
      what: 'the bucket policy',
      required: 'a statement denying requests without TLS is required',
      met: 'the bucket policy denies every S3 action on the bucket and its objects without TLS',
      unmet:
        'no bucket policy statement denies s3:* on the bucket and all its objects (bucket ARN and ARN/*) to every ' +
        'principal when aws:SecureTransport is false; TLS-only access is required',
    });
  },
});

export const bucketEncryptedWithCmk = defineRule({
  id: 'MLOPS-BUCKET-3',
  title: 'Buckets are encrypted by default with a customer-managed KMS key',
  severity: 'HIGH',
  rationale:
    'SSE-S3 or the AWS-managed aws/s3 key let anyone with S3 read permission decrypt; a customer-managed key adds a ' +
    'second, auditable permission and allows crypto-shredding of captured personal data.',
  remediation:
    'Set the bucket’s default encryption to aws:kms (or aws:kms:dsse) with a customer-managed key ' +
    '(encryption: BucketEncryption.KMS with encryptionKey in CDK).',
  references: {
    gdpr: ['Art. 32(1)(a)', 'Art. 5(1)(f)'],
    nist80053: ['SC-28', 'SC-28(1)', 'SC-12'],
    awsConfigRule: 'S3_DEFAULT_ENCRYPTION_KMS',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    // S3 delivers server access logs only to buckets whose default encryption is SSE-S3.
    if (isLogTarget(facts)) {
      return notApplicable(
        'access-log buckets must use SSE-S3: S3 cannot deliver server access logs to SSE-KMS buckets',
      );
    }
    const { type, kmsKey } = facts.encryption;
    if (type === undefined)
      return unknownValue('the default encryption', 'aws:kms or aws:kms:dsse with a customer-managed key is required');
    if (type !== 'aws:kms' && type !== 'aws:kms:dsse') {
      return nonCompliant(
        `default encryption is ${type}; aws:kms or aws:kms:dsse with a customer-managed key is required`,
      );
    }
    return judgeCustomerManagedKey(kmsKey, `default encryption (${type})`);
  },
});

export const bucketPublicAccessBlocked = defineRule({
  id: 'MLOPS-BUCKET-4',
  title: 'Buckets block all public access',
  severity: 'HIGH',
  rationale: 'One public ACL or policy statement would publish captured personal data or the model to the internet.',
  remediation:
    'Set all four PublicAccessBlockConfiguration flags (BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, ' +
    'RestrictPublicBuckets) to true (blockPublicAccess: BlockPublicAccess.BLOCK_ALL in CDK).',
  references: {
    gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'],
    nist80053: ['AC-3', 'AC-21', 'SC-7'],
    awsConfigRule: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    return judgeSetting(facts.publicAccessBlocked, true, {
      what: 'the public access block configuration',
      required: 'all four flags must be true',
      met: 'all four public access block settings are on',
      unmet:
        'public access is not fully blocked (not all four PublicAccessBlockConfiguration flags are true); all four are required',
    });
  },
});

export const bucketPolicyNotOpen = defineRule({
  id: 'MLOPS-BUCKET-5',
  title: 'Bucket policies grant nothing to an unrestricted principal',
  severity: 'CRITICAL',
  rationale:
    'An Allow to "*" (or any account) in a bucket policy publishes captured data or model artefacts to every AWS ' +
    'principal; a condition that is always true (StringLike aws:PrincipalArn "*", Bool aws:SecureTransport true) ' +
    'restricts nothing. The public access block stops some of these, not grants to other accounts.',
  remediation:
    'Name the principals in the statement, or pin the caller with a condition on aws:PrincipalAccount, ' +
    'aws:PrincipalOrgID or a literal aws:PrincipalArn / aws:SourceArn.',
  references: {
    gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'],
    nist80053: ['AC-3', 'AC-6', 'AC-21'],
    awsConfigRule: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    return judgeOpenToAnyPrincipal(facts.policyStatements, 'bucket policy');
  },
});

export const bucketVersioned = defineRule({
  id: 'MLOPS-BUCKET-6',
  title: 'Buckets are versioned',
  severity: 'MEDIUM',
  rationale:
    'Versioning keeps overwritten and deleted objects recoverable: model artefacts, reports and captured data can ' +
    'be restored after an error or a malicious change (integrity and availability, GDPR Art. 32(1)(c)).',
  remediation: 'Set VersioningConfiguration.Status to Enabled (versioned: true in CDK; aws_s3_bucket_versioning).',
  references: {
    gdpr: ['Art. 32(1)(b)', 'Art. 32(1)(c)'],
    nist80053: ['CP-9', 'SI-12'],
    awsConfigRule: 'S3_BUCKET_VERSIONING_ENABLED',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    return judgeSetting(facts.versioned, true, {
      what: 'the versioning status',
      required: 'it must be Enabled',
      met: 'versioning is enabled',
      unmet: 'versioning is not enabled (suspended or never enabled); it must be Enabled',
    });
  },
});

export const bucketAclNotPublic = defineRule({
  id: 'MLOPS-BUCKET-7',
  title: 'Bucket ACLs grant nothing to AllUsers or AuthenticatedUsers',
  severity: 'CRITICAL',
  rationale:
    'A public-read, public-read-write or authenticated-read ACL opens the bucket to everyone (AuthenticatedUsers is ' +
    'every AWS account, not the organisation’s).',
  remediation: 'Remove AccessControl (or set it to Private) and disable ACLs with ObjectOwnership BucketOwnerEnforced.',
  references: {
    gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'],
    nist80053: ['AC-3', 'AC-21'],
    awsConfigRule: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  },
  appliesTo: ['Bucket'],
  check(facts) {
    return judgeSetting(facts.publicAcl, false, {
      what: 'the bucket ACL',
      required: 'it must not grant AllUsers or AuthenticatedUsers',
      met: 'the bucket ACL grants nothing to AllUsers or AuthenticatedUsers',
      unmet: 'the bucket ACL grants access to AllUsers or AuthenticatedUsers; a private ACL is required',
    });
  },
});
