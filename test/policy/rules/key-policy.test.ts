import { KeyFacts } from '../../../lib/policy';
import { normalizeStatements } from '../../../lib/policy/policy-document';
import { keyPolicyNoPublicDecrypt } from '../../../lib/policy/rules/key-policy';
import { check } from '../../support/policy-facts';

const key = (statements: unknown[] | undefined): KeyFacts => ({
  kind: 'Key',
  id: 'CaptureKey',
  region: 'eu-west-1',
  policyStatements: statements === undefined ? undefined : normalizeStatements({ Statement: statements }),
});

const ROOT = {
  Sid: 'Root',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};

describe('MLOPS-KMS-1 no public decrypt in key policies', () => {
  test('passes for the account-root statement CDK writes', () => {
    // GIVEN a key policy granting the account root
    // WHEN checked
    const result = check(keyPolicyNoPublicDecrypt, key([ROOT]));
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('passes for "*" pinned to the account by condition', () => {
    // GIVEN "*" restricted by kms:CallerAccount
    const s = {
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      },
    };
    // WHEN checked
    // THEN compliant
    expect(check(keyPolicyNoPublicDecrypt, key([ROOT, s])).status).toBe('COMPLIANT');
  });

  test.each([
    ['Principal "*" with kms:Decrypt', { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    ['AWS "*" with kms:*', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
    ['"*" with kms:ReEncrypt*', { Effect: 'Allow', Principal: '*', Action: 'kms:ReEncrypt*', Resource: '*' }],
    [
      '"*" with a condition that does not pin the caller (kms:ViaService)',
      {
        Effect: 'Allow',
        Principal: '*',
        Action: ['kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ],
    [
      '"*" with NotAction that leaves decrypt in',
      { Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' },
    ],
  ])('fails for %s', (_name, statement) => {
    // GIVEN a statement letting anyone decrypt
    // WHEN checked
    const result = check(keyPolicyNoPublicDecrypt, key([ROOT, { Sid: 'Open', ...statement }]));
    // THEN non-compliant, naming the statement
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('"Open"');
  });

  test('rejects a key policy the source does not show as unknown', () => {
    // GIVEN a key policy behind an intrinsic
    // WHEN checked
    const result = check(keyPolicyNoPublicDecrypt, key(undefined));
    // THEN non-compliant, saying unknown
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/unknown/);
  });
});
