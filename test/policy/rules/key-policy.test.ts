import { KeyFacts } from '../../../core/policy';
import { normalizeStatements } from '../../../core/policy/policy-document';
import {
  keyPolicyNoForeignDecrypt,
  keyPolicyNoPublicDecrypt,
  keyRotationEnabled,
} from '../../../core/policy/rules/key-policy';
import { check, ctx } from '../../support/policy-facts';

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

describe('MLOPS-KMS-1 closes what an always-true condition leaves open', () => {
  test.each([
    [
      'any account root',
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    ['"*" with kms:CreateGrant', { Effect: 'Allow', Principal: '*', Action: 'kms:CreateGrant', Resource: '*' }],
    [
      '"*" behind StringLike aws:PrincipalArn "*"',
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringLike: { 'aws:PrincipalArn': '*' } },
      },
    ],
    [
      '"*" behind ArnLike aws:PrincipalArn on any account',
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
      },
    ],
  ])('fails %s', (_name, statement) => {
    expect(check(keyPolicyNoPublicDecrypt, key([ROOT, statement])).status).toBe('NON_COMPLIANT');
  });
});

describe('MLOPS-KMS-2 decryption only for the project’s accounts', () => {
  const grant = (principal: unknown, extra: object = {}) => ({
    Effect: 'Allow',
    Principal: principal,
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
    Resource: '*',
    ...extra,
  });
  test.each([
    ['the account root', [ROOT]],
    ['a role of a known account', [ROOT, grant({ AWS: 'arn:aws:iam::111122223333:role/detector' })]],
    [
      'the stack’s own account (pseudo parameter)',
      [grant({ AWS: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' })],
    ],
    [
      'a service pinned to a known account',
      [
        ROOT,
        grant(
          { Service: 'logs.eu-west-1.amazonaws.com' },
          { Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } },
        ),
      ],
    ],
  ])('passes %s', (_name, statements) => {
    expect(check(keyPolicyNoForeignDecrypt, key(statements)).status).toBe('COMPLIANT');
  });

  test.each([
    ['a foreign account root', grant({ AWS: 'arn:aws:iam::999988887777:root' })],
    ['a foreign role', grant({ AWS: 'arn:aws:iam::999988887777:role/reader' })],
    ['a bare foreign account id', grant({ AWS: '999988887777' })],
    [
      'CreateGrant to a foreign account',
      { Effect: 'Allow', Principal: { AWS: '999988887777' }, Action: 'kms:CreateGrant', Resource: '*' },
    ],
    [
      '"*" pinned to a foreign caller account',
      grant('*', { Condition: { StringEquals: { 'kms:CallerAccount': '999988887777' } } }),
    ],
  ])('fails %s', (_name, statement) => {
    const r = check(keyPolicyNoForeignDecrypt, key([ROOT, statement]));
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(
      /#2 allows .* to account\(s\) 999988887777, outside the project's accounts \[111122223333\]/,
    );
  });

  test('an account listed in the policy’s known accounts is a project account', () => {
    const facts = key([grant({ AWS: 'arn:aws:iam::999988887777:root' })]);
    expect(check(keyPolicyNoForeignDecrypt, facts, ctx({ knownAccounts: ['999988887777'] })).status).toBe('COMPLIANT');
  });

  test('fails a key policy that is not shown, as unknown', () => {
    expect(check(keyPolicyNoForeignDecrypt, key(undefined)).reason).toMatch(/unknown/);
  });
});

describe('MLOPS-KMS-3 key rotation', () => {
  const k = (o: Partial<KeyFacts>): KeyFacts => ({ ...key([ROOT]), keySpec: 'SYMMETRIC_DEFAULT', ...o });
  test('passes a rotating symmetric key', () => {
    expect(check(keyRotationEnabled, k({ rotationEnabled: true })).status).toBe('COMPLIANT');
  });
  test('fails a symmetric key without rotation', () => {
    expect(check(keyRotationEnabled, k({ rotationEnabled: false })).status).toBe('NON_COMPLIANT');
  });
  test('does not apply to an asymmetric key, which cannot rotate automatically', () => {
    expect(check(keyRotationEnabled, k({ keySpec: 'RSA_2048', rotationEnabled: false })).status).toBe('NOT_APPLICABLE');
  });
  test('fails unknown rotation, as unknown', () => {
    expect(check(keyRotationEnabled, k({ rotationEnabled: undefined })).reason).toMatch(/unknown/);
  });
});
