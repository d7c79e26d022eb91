import { regionAllowed } from '../../../core/policy/rules/residency';
import { bucket, check } from '../../support/policy-facts';

describe('MLOPS-GDPR-1 allowed region', () => {
  test('passes in an allowed region', () => {
    // GIVEN a bucket in eu-west-1
    // WHEN checked
    const result = check(regionAllowed, bucket());
    // THEN compliant
    expect(result).toEqual({ status: 'COMPLIANT', reason: 'region eu-west-1 is allowed' });
  });

  test('fails outside the allowed regions', () => {
    // GIVEN a bucket in us-east-1
    const facts = bucket({ region: 'us-east-1' });
    // WHEN checked
    const result = check(regionAllowed, facts);
    // THEN non-compliant, naming region and list
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe('region us-east-1 is not in the allowed regions [eu-west-1, eu-central-1]');
  });

  test('rejects an unknown region (environment-agnostic source) as unknown, never not applicable', () => {
    // GIVEN an environment-agnostic resource: its region is AWS::Region, a parameter
    const facts = bucket({ region: undefined });
    // WHEN checked
    const result = check(regionAllowed, facts);
    // THEN non-compliant, and the reason says the region is unknown
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/region .* is unknown/);
  });
});
