import {
  captureRetentionLimited,
  dataCaptureEnabled,
  dataCaptureEncrypted,
  dataCaptureMinimised,
  maximumRetentionDays,
} from '../../../core/policy/rules/data-capture';
import { bucket, check, ctx, endpointConfig } from '../../support/policy-facts';

const capture = (o: object = {}) => ({
  enabled: true,
  samplingPercent: 10,
  captureInput: true,
  captureOutput: true,
  kmsKey: { id: 'arn:aws:kms:eu-west-1:111122223333:key/k', customerManaged: true },
  ...o,
});

describe('MLOPS-CAPTURE-1 data capture enabled', () => {
  test('passes with capture of input and output', () => {
    // GIVEN capture enabled for both
    // WHEN checked
    const result = check(dataCaptureEnabled, endpointConfig());
    // THEN compliant, naming the modes
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('Input and Output');
  });

  test('passes with output only', () => {
    // GIVEN capture of output only
    const facts = endpointConfig({ dataCapture: capture({ captureInput: false }) });
    // WHEN checked
    const result = check(dataCaptureEnabled, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('for Output');
  });

  test('fails without a DataCaptureConfig', () => {
    // GIVEN no capture block
    const facts = endpointConfig({ dataCapture: undefined });
    // WHEN checked
    const result = check(dataCaptureEnabled, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no DataCaptureConfig');
  });

  test('fails when capture is disabled', () => {
    // GIVEN EnableCapture false
    const facts = endpointConfig({ dataCapture: capture({ enabled: false }) });
    // WHEN checked
    const result = check(dataCaptureEnabled, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('disabled (EnableCapture false)');
  });

  test('fails when enabled but capturing nothing', () => {
    // GIVEN neither input nor output captured
    const facts = endpointConfig({ dataCapture: capture({ captureInput: false, captureOutput: false }) });
    // WHEN checked
    const result = check(dataCaptureEnabled, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('captures neither Input nor Output');
  });
});

describe('MLOPS-CAPTURE-2 captured data encrypted with a customer-managed key', () => {
  test('passes with a customer-managed key', () => {
    // GIVEN capture with a CMK
    // WHEN checked
    const result = check(dataCaptureEncrypted, endpointConfig());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('data capture uses customer-managed key');
  });

  test('fails without a capture key', () => {
    // GIVEN capture without KmsKeyId
    const facts = endpointConfig({ dataCapture: capture({ kmsKey: undefined }) });
    // WHEN checked
    const result = check(dataCaptureEncrypted, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('data capture names no KMS key');
  });

  test('fails with an AWS-managed capture key', () => {
    // GIVEN the aws/s3 key
    const facts = endpointConfig({ dataCapture: capture({ kmsKey: { id: 'alias/aws/s3', customerManaged: false } }) });
    // WHEN checked
    const result = check(dataCaptureEncrypted, facts);
    // THEN non-compliant, naming the key
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('AWS-managed key alias/aws/s3');
  });

  test('is not applicable when capture is off', () => {
    // GIVEN no capture
    const facts = endpointConfig({ dataCapture: undefined });
    // WHEN checked
    const result = check(dataCaptureEncrypted, facts);
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('not enabled');
  });
});

describe('MLOPS-CAPTURE-3 sampling percentage within the maximum', () => {
  test('passes at the maximum', () => {
    // GIVEN sampling equal to the maximum 20
    const facts = endpointConfig({ dataCapture: capture({ samplingPercent: 20 }) });
    // WHEN checked
    const result = check(dataCaptureMinimised, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toBe('sampling percentage 20 is within the maximum 20');
  });

  test('fails above the maximum', () => {
    // GIVEN sampling 100 > 20
    const facts = endpointConfig({ dataCapture: capture({ samplingPercent: 100 }) });
    // WHEN checked
    const result = check(dataCaptureMinimised, facts);
    // THEN non-compliant, naming both values
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe('sampling percentage 100 exceeds the maximum 20 (data minimisation)');
  });

  test('is not applicable when capture is disabled', () => {
    // GIVEN disabled capture with a high sampling rate
    const facts = endpointConfig({ dataCapture: capture({ enabled: false, samplingPercent: 100 }) });
    // WHEN checked
    const result = check(dataCaptureMinimised, facts);
    // THEN not applicable: nothing is captured
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});

describe('MLOPS-CAPTURE-4 capture bucket retention', () => {
  test('passes when current plus noncurrent expiry is within the limit', () => {
    // GIVEN a versioned capture bucket, 20 + 5 days, limit 30
    // WHEN checked
    const result = check(captureRetentionLimited, bucket());
    // THEN compliant, with the arithmetic
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('at most 25 days (20 days current + 5 days noncurrent), within 30');
  });

  test('passes for an unversioned bucket on expiration alone', () => {
    // GIVEN an unversioned bucket expiring after 30 days, no noncurrent rule
    const facts = bucket({ versioned: false, expirationDays: 30, noncurrentExpirationDays: undefined });
    // WHEN checked
    const result = check(captureRetentionLimited, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('at most 30 days (30 days)');
  });

  test('fails when the sum exceeds the limit', () => {
    // GIVEN 25 + 10 = 35 days > 30
    const facts = bucket({ expirationDays: 25, noncurrentExpirationDays: 10 });
    // WHEN checked
    const result = check(captureRetentionLimited, facts);
    // THEN non-compliant, naming 35 and 30
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('may be kept 35 days (25 days current + 10 days noncurrent); at most 30 days');
  });

  test('fails without expiration', () => {
    // GIVEN no lifecycle expiration
    const facts = bucket({ expirationDays: undefined, noncurrentExpirationDays: undefined });
    // WHEN checked
    const result = check(captureRetentionLimited, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no whole-bucket lifecycle expiration');
    expect(result.reason).toContain('at most 30 days');
  });

  test('fails for a versioned bucket whose noncurrent versions never expire', () => {
    // GIVEN versioned, 10 days current expiry, no noncurrent expiry
    const facts = bucket({ expirationDays: 10, noncurrentExpirationDays: undefined });
    // WHEN checked
    const result = check(captureRetentionLimited, facts);
    // THEN non-compliant: noncurrent versions are kept forever
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('after 10 days, but noncurrent versions never expire');
  });

  test('is not applicable to other buckets', () => {
    // GIVEN an artifacts bucket without expiry
    const facts = bucket({ purpose: 'artifacts', expirationDays: undefined });
    // WHEN checked
    const result = check(captureRetentionLimited, facts, ctx());
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('artifacts');
  });

  test('maximumRetentionDays ignores noncurrent expiry on unversioned buckets', () => {
    // GIVEN an unversioned bucket with a leftover noncurrent rule
    // WHEN computed
    const r = maximumRetentionDays({ versioned: false, expirationDays: 7, noncurrentExpirationDays: 100 });
    // THEN only current expiry counts
    expect(r).toEqual({ days: 7 });
  });
});
