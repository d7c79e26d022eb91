import { IdentityPolicyFacts } from '../../../core/policy';
import { normalizeStatements } from '../../../core/policy/policy-document';
import { identityPolicyNoDataPlaneOnEverything } from '../../../core/policy/rules/identity-policy';
import { check } from '../../support/policy-facts';

const policy = (statements: unknown[]): IdentityPolicyFacts => ({
  kind: 'IdentityPolicy',
  id: 'Policy',
  region: 'eu-west-1',
  attachedTo: ['Role'],
  statements: normalizeStatements({ Statement: statements }),
});

describe('MLOPS-IAM-1 only actions without resource-level permissions on "*"', () => {
  test('passes for PutMetricData and X-Ray on "*" and scoped data access', () => {
    // GIVEN the drift detector's shape
    const p = policy([
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::capture/datacapture/ep/*' },
    ]);
    // WHEN checked
    // THEN compliant
    expect(check(identityPolicyNoDataPlaneOnEverything, p).status).toBe('COMPLIANT');
  });

  test.each([
    ['s3:GetObject on "*"', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, 's3:GetObject'],
    ['kms:Decrypt on "*"', { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: ['*'] }, 'kms:Decrypt'],
    ['a wildcard action on "*"', { Effect: 'Allow', Action: 'sagemaker:List*', Resource: '*' }, 'sagemaker:List*'],
    [
      's3:GetObject on every bucket',
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' },
      's3:GetObject',
    ],
    ['NotAction on "*"', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, 'NotAction'],
  ])('fails for %s', (_name, statement, named) => {
    // GIVEN an otherwise clean policy with the statement added
    const p = policy([{ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' }, statement]);
    // WHEN checked
    const result = check(identityPolicyNoDataPlaneOnEverything, p);
    // THEN non-compliant, naming the action
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain(named);
  });

  test('passes a Deny on "*"', () => {
    // GIVEN a deny statement
    const p = policy([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]);
    // WHEN checked
    // THEN compliant: a deny grants nothing
    expect(check(identityPolicyNoDataPlaneOnEverything, p).status).toBe('COMPLIANT');
  });
});
