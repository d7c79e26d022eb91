import { withCaptureDestinations } from '../../core/policy/capture-destinations';
import { captureRetentionLimited } from '../../core/policy/rules/data-capture';
import { bucket, check, endpointConfig } from '../support/policy-facts';

describe('withCaptureDestinations (shared by the adapters and the run-time collector)', () => {
  test('marks the bucket an endpoint config captures to, tagged or not, and nothing else', () => {
    // GIVEN an endpoint config capturing to s3://capture-bucket/fraud and two untagged buckets
    const target = bucket({
      id: 'arn:aws:s3:::capture-bucket',
      name: 'capture-bucket',
      purpose: 'other',
      expirationDays: undefined,
    });
    const other = bucket({ id: 'arn:aws:s3:::other', name: 'other', purpose: 'other', expirationDays: undefined });
    // WHEN marked
    const [, marked, untouched] = withCaptureDestinations([endpointConfig(), target, other]);
    // THEN the retention rule judges the capture target and fails it (no expiration), and skips the other
    expect(check(captureRetentionLimited, marked!).status).toBe('NON_COMPLIANT');
    expect(check(captureRetentionLimited, untouched!).status).toBe('NOT_APPLICABLE');
  });

  test('a config whose capture is off marks nothing', () => {
    const config = endpointConfig();
    const off = { ...config, dataCapture: { ...config.dataCapture!, enabled: false } };
    const target = bucket({ name: 'capture-bucket', purpose: 'other' });
    expect(withCaptureDestinations([off, target])[1]).toEqual(target);
  });
});
