/**
 * The run-time adapter's IAM mapping: GetRole / GetRolePolicy / GetPolicyVersion responses -> the facts the
 * CloudFormation and Terraform adapters produce, judged by the same rules (MLOPS-IAM-1, -2).
 */
import { ruleById } from '../../core/policy/catalogue';
import {
  inlinePoliciesFacts,
  isAwsManagedPolicy,
  managedPolicyFacts,
  roleFacts,
  roleNameOfArn,
} from '../../core/policy/from-aws';
import { NOW, POLICY } from '../support/fake-account';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/service-role/exec';
const ctx = { policy: POLICY, now: NOW };
const iam1 = ruleById('MLOPS-IAM-1')!;
const iam2 = ruleById('MLOPS-IAM-2')!;
/** IAM returns policy documents URL-encoded. */
const encoded = (statement: Record<string, unknown>) =>
  encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));

describe('from-aws: IAM roles and their policies', () => {
  test('a role ARN names the role, with or without a path', () => {
    expect(roleNameOfArn(ROLE_ARN)).toBe('exec');
    expect(roleNameOfArn('arn:aws:iam::111122223333:role/plain')).toBe('plain');
    expect(roleNameOfArn('arn:aws:iam::111122223333:policy/plain')).toBeUndefined();
  });

  test('tells AWS-managed policies from the account’s own', () => {
    expect(isAwsManagedPolicy('arn:aws:iam::aws:policy/AmazonSageMakerFullAccess')).toBe(true);
    expect(isAwsManagedPolicy('arn:aws-cn:iam::aws:policy/service-role/AmazonSageMakerFullAccess')).toBe(true);
    expect(isAwsManagedPolicy('arn:aws:iam::111122223333:policy/mine')).toBe(false);
  });

  test('rejects a URL-encoded trust policy open to any principal (MLOPS-IAM-2), naming the models that use it', () => {
    // GIVEN GetRole's answer with a trust policy anyone may assume
    const facts = roleFacts(
      ROLE_ARN,
      {
        Arn: ROLE_ARN,
        RoleName: 'exec',
        AssumeRolePolicyDocument: encoded({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
      },
      ['fraud-model'],
    );
    // THEN it is the role's trust policy, decoded, and the rule fails it
    expect(facts).toMatchObject({ kind: 'Role', id: ROLE_ARN, name: 'exec', account: '111122223333' });
    expect(facts.usedBy).toEqual(['fraud-model']);
    expect(facts.trustStatements?.[0]?.principals).toEqual(['*']);
    expect(iam2.check(facts, ctx).status).toBe('NON_COMPLIANT');
  });

  test('a trust policy naming a service passes (MLOPS-IAM-2)', () => {
    const facts = roleFacts(ROLE_ARN, {
      Arn: ROLE_ARN,
      RoleName: 'exec',
      AssumeRolePolicyDocument: encoded({
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    });
    expect(iam2.check(facts, ctx).status).toBe('COMPLIANT');
  });

  test('fails a role GetRole could not read: the trust policy is unknown, never compliant', () => {
    const facts = roleFacts(ROLE_ARN, undefined, ['fraud-model']);
    expect(facts).toMatchObject({ id: ROLE_ARN, name: 'exec', trustStatements: undefined });
    const verdict = iam2.check(facts, ctx);
    expect(verdict.status).toBe('NON_COMPLIANT');
    expect(verdict.reason).toMatch(/unknown/);
  });

  test('inline policies become one identity policy of the role, as the CloudFormation adapter reads `Policies`', () => {
    // GIVEN two inline policies, one granting s3:GetObject on "*"
    const facts = inlinePoliciesFacts(ROLE_ARN, [
      encoded({ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' }),
      encoded({ Sid: 'Wide', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
    ]);
    // THEN one facts entry, attached to the role by name, fails MLOPS-IAM-1 naming the statement
    expect(facts).toMatchObject({ kind: 'IdentityPolicy', id: ROLE_ARN, attachedTo: ['exec'] });
    expect(facts?.statements).toHaveLength(2);
    expect(iam1.check(facts!, ctx)).toMatchObject({
      status: 'NON_COMPLIANT',
      reason: expect.stringContaining('"Wide": s3:GetObject'),
    });
  });

  test('a role without inline policies has no inline identity policy to judge', () => {
    expect(inlinePoliciesFacts(ROLE_ARN, [])).toBeUndefined();
  });

  test('fails inline policies that could not be listed or read: unknown, never compliant', () => {
    const unlisted = inlinePoliciesFacts(ROLE_ARN, undefined);
    const unread = inlinePoliciesFacts(ROLE_ARN, [
      encoded({ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' }),
      undefined,
    ]);
    for (const facts of [unlisted!, unread!]) {
      expect(facts.statements).toBeUndefined();
      expect(iam1.check(facts, ctx)).toMatchObject({
        status: 'NON_COMPLIANT',
        reason: expect.stringMatching(/unknown/),
      });
    }
  });

  test('a customer-managed policy is judged by its default version’s document, attached to its roles', () => {
    const policy = { PolicyArn: 'arn:aws:iam::111122223333:policy/scoped', PolicyName: 'scoped' };
    const scoped = managedPolicyFacts(
      policy,
      encoded({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::capture/*' }),
      ['exec', 'other'],
      ['m1', 'm2'],
    );
    expect(scoped).toMatchObject({
      kind: 'IdentityPolicy',
      id: policy.PolicyArn,
      name: 'scoped',
      attachedTo: ['exec', 'other'],
      usedBy: ['m1', 'm2'],
    });
    expect(iam1.check(scoped, ctx).status).toBe('COMPLIANT');
    // AND one whose document could not be read is unknown
    expect(iam1.check(managedPolicyFacts(policy, undefined, ['exec']), ctx).status).toBe('NON_COMPLIANT');
  });
});
