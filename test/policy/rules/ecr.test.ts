import { normalizeStatements } from '../../../core/policy/policy-document';
import {
  repositoryEncrypted,
  repositoryLifecyclePolicy,
  repositoryPolicyNotOpen,
  repositoryScanOnPush,
  repositoryTagsImmutable,
} from '../../../core/policy/rules/ecr';
import { check, repository } from '../../support/policy-facts';

describe('MLOPS-ECR-1 immutable tags', () => {
  test('passes with immutable tags', () => {
    // GIVEN IMMUTABLE
    // WHEN checked
    const result = check(repositoryTagsImmutable, repository());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails with mutable tags', () => {
    // GIVEN MUTABLE
    const facts = repository({ tagImmutable: false });
    // WHEN checked
    const result = check(repositoryTagsImmutable, facts);
    // THEN non-compliant, naming what is required
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('mutable (ImageTagMutability is not IMMUTABLE); IMMUTABLE is required');
  });
});

describe('MLOPS-ECR-2 scan on push', () => {
  test('passes with scan on push', () => {
    // GIVEN scanning on
    // WHEN checked
    const result = check(repositoryScanOnPush, repository());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails without scanning', () => {
    // GIVEN scanning off
    const facts = repository({ scanOnPush: false });
    // WHEN checked
    const result = check(repositoryScanOnPush, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('not scanned on push');
  });
});

describe('MLOPS-ECR-3 KMS encryption', () => {
  test('passes with KMS, naming the key', () => {
    // GIVEN KMS with a key
    const facts = repository();
    // WHEN checked
    const result = check(repositoryEncrypted, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain(`encryption type is KMS with key ${facts.encryption.kmsKey!.id}`);
  });

  test('passes with KMS_DSSE', () => {
    // GIVEN dual-layer KMS
    const facts = repository({ encryption: { type: 'KMS_DSSE' } });
    // WHEN checked
    const result = check(repositoryEncrypted, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails with AES256', () => {
    // GIVEN the default AES256
    const facts = repository({ encryption: { type: 'AES256' } });
    // WHEN checked
    const result = check(repositoryEncrypted, facts);
    // THEN non-compliant, naming seen and required
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe('encryption type is AES256; KMS or KMS_DSSE is required');
  });
});

describe('MLOPS-ECR-4 lifecycle policy', () => {
  test('passes with a lifecycle policy', () => {
    // GIVEN a policy
    // WHEN checked
    const result = check(repositoryLifecyclePolicy, repository());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails without a lifecycle policy', () => {
    // GIVEN none
    const facts = repository({ hasLifecyclePolicy: false });
    // WHEN checked
    const result = check(repositoryLifecyclePolicy, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no lifecycle policy');
  });
});

describe('MLOPS-ECR-5 no repository policy open to an unrestricted principal', () => {
  const pull = { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };
  test.each([
    ['no repository policy', []],
    [
      'pulls by the environment accounts',
      normalizeStatements({ Statement: [{ ...pull, Principal: { AWS: ['arn:aws:iam::111122223333:root'] } }] }),
    ],
  ])('passes %s', (_name, policyStatements) => {
    expect(check(repositoryPolicyNotOpen, repository({ policyStatements })).status).toBe('COMPLIANT');
  });
  test.each([
    ['pulls by "*"', { ...pull, Principal: '*' }],
    [
      'pulls by "*" behind StringLike aws:PrincipalArn "arn:aws:iam::*:*"',
      { ...pull, Principal: { AWS: '*' }, Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:*' } } },
    ],
  ])('fails %s', (_name, statement) => {
    const r = check(
      repositoryPolicyNotOpen,
      repository({ policyStatements: normalizeStatements({ Statement: [statement] }) }),
    );
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(/repository policy statement\(s\) #1 allows ecr:BatchGetImage/);
  });
  test('fails a policy that is not shown, as unknown', () => {
    expect(check(repositoryPolicyNotOpen, repository({ policyStatements: undefined })).reason).toMatch(/unknown/);
  });
});
