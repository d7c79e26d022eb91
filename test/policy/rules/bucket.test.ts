import { normalizeStatements } from '../../../core/policy/policy-document';
import {
  bucketAccessLogging,
  bucketAclNotPublic,
  bucketEncryptedWithCmk,
  bucketPolicyNotOpen,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  bucketVersioned,
} from '../../../core/policy/rules/bucket';
import { bucket, check } from '../../support/policy-facts';

describe('MLOPS-BUCKET-1 access logging', () => {
  test('passes with logging', () => {
    // GIVEN logging on
    // WHEN checked
    const result = check(bucketAccessLogging, bucket());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails without logging, naming the bucket purpose', () => {
    // GIVEN an artifacts bucket without logging
    const facts = bucket({ purpose: 'artifacts', accessLogging: false });
    // WHEN checked
    const result = check(bucketAccessLogging, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe('server access logging is disabled on this artifacts bucket; it must be enabled');
  });

  test('is not applicable to the access-log bucket', () => {
    // GIVEN the access-log bucket without logging
    const facts = bucket({ purpose: 'access-logs', accessLogging: false });
    // WHEN checked
    const result = check(bucketAccessLogging, facts);
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});

describe('MLOPS-BUCKET-2 TLS only', () => {
  test('passes with a TLS-only policy', () => {
    // GIVEN tlsOnly
    // WHEN checked
    const result = check(bucketTlsOnly, bucket());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails without a TLS-only policy', () => {
    // GIVEN no deny statement
    const facts = bucket({ tlsOnly: false });
    // WHEN checked
    const result = check(bucketTlsOnly, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('aws:SecureTransport is false');
  });
});

describe('MLOPS-BUCKET-3 customer-managed KMS encryption', () => {
  test('passes with SSE-KMS and a customer-managed key', () => {
    // GIVEN aws:kms with a CMK
    // WHEN checked
    const result = check(bucketEncryptedWithCmk, bucket());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('default encryption (aws:kms) uses customer-managed key');
  });

  test('fails with SSE-S3', () => {
    // GIVEN AES256
    const facts = bucket({ encryption: { type: 'AES256' } });
    // WHEN checked
    const result = check(bucketEncryptedWithCmk, facts);
    // THEN non-compliant, naming the type seen
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('default encryption is AES256; aws:kms or aws:kms:dsse');
  });

  test('fails with the AWS-managed aws/s3 key', () => {
    // GIVEN aws:kms with the AWS-managed key
    const facts = bucket({ encryption: { type: 'aws:kms', kmsKey: { id: 'alias/aws/s3', customerManaged: false } } });
    // WHEN checked
    const result = check(bucketEncryptedWithCmk, facts);
    // THEN non-compliant, naming the key
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('AWS-managed key alias/aws/s3');
  });

  test('is not applicable to access-log buckets, which must use SSE-S3', () => {
    // GIVEN an SSE-S3 access-log bucket
    const facts = bucket({ purpose: 'access-logs', encryption: { type: 'AES256' } });
    // WHEN checked
    const result = check(bucketEncryptedWithCmk, facts);
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('SSE-S3');
  });
});

describe('MLOPS-BUCKET-4 public access blocked', () => {
  test('passes with all four flags', () => {
    // GIVEN public access blocked
    // WHEN checked
    const result = check(bucketPublicAccessBlocked, bucket());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails when not fully blocked', () => {
    // GIVEN the block incomplete
    const facts = bucket({ publicAccessBlocked: false });
    // WHEN checked
    const result = check(bucketPublicAccessBlocked, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('not fully blocked');
  });
});

const policy = (...statements: unknown[]) => normalizeStatements({ Statement: statements });
const READ = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::capture-bucket/*' };
const TLS_DENY = {
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::capture-bucket', 'arn:aws:s3:::capture-bucket/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

describe('MLOPS-BUCKET-5 no bucket policy open to an unrestricted principal', () => {
  test.each([
    ['no policy', []],
    [
      'a TLS deny to "*" and a grant to a named role',
      policy(TLS_DENY, { ...READ, Principal: { AWS: 'arn:aws:iam::111122223333:role/detector' } }),
    ],
    [
      'log delivery pinned by aws:SourceAccount',
      policy({
        ...READ,
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      }),
    ],
    [
      '"*" pinned by aws:PrincipalOrgID',
      policy({ ...READ, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } } }),
    ],
  ])('passes %s', (_name, policyStatements) => {
    expect(check(bucketPolicyNotOpen, bucket({ policyStatements })).status).toBe('COMPLIANT');
  });

  test.each([
    ['"*" with no condition', { ...READ, Principal: '*' }],
    [
      '"*" behind StringLike aws:PrincipalArn "*"',
      { ...READ, Principal: { AWS: '*' }, Condition: { StringLike: { 'aws:PrincipalArn': '*' } } },
    ],
    [
      '"*" behind Bool aws:SecureTransport true',
      { ...READ, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ],
    ['any account root', { ...READ, Principal: { AWS: 'arn:aws:iam::*:root' } }],
    [
      '"*" behind ForAllValues on aws:PrincipalOrgID (true for an empty set)',
      {
        ...READ,
        Principal: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': ['o-abc123def4'] } },
      },
    ],
  ])('fails %s', (_name, statement) => {
    // GIVEN the TLS deny and an open grant WHEN checked
    const r = check(bucketPolicyNotOpen, bucket({ policyStatements: policy(TLS_DENY, statement) }));
    // THEN non-compliant, naming the second statement
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(/#2 allows s3:GetObject/);
  });

  test('fails a policy that is not shown, as unknown', () => {
    expect(check(bucketPolicyNotOpen, bucket({ policyStatements: undefined })).reason).toMatch(/unknown/);
  });
});

describe('MLOPS-BUCKET-6 versioning', () => {
  test('passes a versioned bucket', () => {
    expect(check(bucketVersioned, bucket()).status).toBe('COMPLIANT');
  });
  test('fails an unversioned bucket', () => {
    expect(check(bucketVersioned, bucket({ versioned: false }))).toEqual({
      status: 'NON_COMPLIANT',
      reason: 'versioning is not enabled (suspended or never enabled); it must be Enabled',
    });
  });
  test('fails unknown versioning, as unknown', () => {
    expect(check(bucketVersioned, bucket({ versioned: undefined })).reason).toMatch(/unknown/);
  });
});

describe('MLOPS-BUCKET-7 no public ACL', () => {
  test('passes a private ACL', () => {
    expect(check(bucketAclNotPublic, bucket()).status).toBe('COMPLIANT');
  });
  test('fails a public ACL', () => {
    expect(check(bucketAclNotPublic, bucket({ publicAcl: true })).status).toBe('NON_COMPLIANT');
  });
  test('fails an unknown ACL, as unknown', () => {
    expect(check(bucketAclNotPublic, bucket({ publicAcl: undefined })).reason).toMatch(/unknown/);
  });
});

describe('log delivery targets (AWS guidance: a log target does not log to itself)', () => {
  test('MLOPS-BUCKET-1 and MLOPS-BUCKET-3 do not apply to an untagged bucket that receives access logs', () => {
    // GIVEN an untagged SSE-S3 bucket without logging that another bucket logs to
    const target = bucket({ purpose: 'other', logTarget: true, accessLogging: false, encryption: { type: 'AES256' } });
    // WHEN checked THEN both rules say why they do not apply, as for the project's tagged access-log bucket
    expect(check(bucketAccessLogging, target).status).toBe('NOT_APPLICABLE');
    expect(check(bucketEncryptedWithCmk, target).status).toBe('NOT_APPLICABLE');
  });
  test('fails the same bucket when nothing logs to it', () => {
    const plain = bucket({ purpose: 'other', accessLogging: false });
    expect(check(bucketAccessLogging, plain).status).toBe('NON_COMPLIANT');
  });
});
