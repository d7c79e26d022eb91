import {
  bucketAccessLogging,
  bucketEncryptedWithCmk,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
} from '../../../lib/policy/rules/bucket';
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
