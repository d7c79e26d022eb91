import { RoleFacts } from '../../../core/policy';
import { normalizeStatements } from '../../../core/policy/policy-document';
import { roleTrustNotOpen } from '../../../core/policy/rules/trust-policy';
import { check } from '../../support/policy-facts';

const role = (statements: unknown[] | undefined): RoleFacts => ({
  kind: 'Role',
  id: 'GateRole',
  trustStatements: statements === undefined ? undefined : normalizeStatements({ Statement: statements }),
});

const assume = (Principal: unknown, Condition?: unknown) => ({
  Effect: 'Allow',
  Principal,
  Action: 'sts:AssumeRole',
  ...(Condition !== undefined ? { Condition } : {}),
});

describe('MLOPS-IAM-2 role trust policies open to no unrestricted principal', () => {
  test.each([
    ['a service principal', assume({ Service: 'lambda.amazonaws.com' })],
    [
      'an account root pinned to one role',
      assume(
        { AWS: 'arn:aws:iam::999999999999:root' },
        { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/mlops-pipeline' } },
      ),
    ],
    [
      '"*" pinned to the organisation',
      assume({ AWS: '*' }, { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } }),
    ],
    [
      '"*" pinned to an account by ArnLike with a literal account',
      assume('*', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci-*' } }),
    ],
    [
      'a GitHub OIDC provider',
      {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
    ],
  ])('passes %s', (_name, statement) => {
    // GIVEN a trust policy WHEN checked THEN compliant
    expect(check(roleTrustNotOpen, role([statement])).status).toBe('COMPLIANT');
  });

  test.each([
    ['AWS "*"', assume({ AWS: '*' })],
    ['Principal "*"', assume('*')],
    ['any account root', assume({ AWS: 'arn:aws:iam::*:root' })],
    ['"*" behind StringLike aws:PrincipalArn "*"', assume({ AWS: '*' }, { StringLike: { 'aws:PrincipalArn': '*' } })],
    [
      '"*" behind ArnLike aws:PrincipalArn with any account',
      assume({ AWS: '*' }, { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy' } }),
    ],
    ['"*" behind Bool aws:SecureTransport true', assume({ AWS: '*' }, { Bool: { 'aws:SecureTransport': 'true' } })],
    [
      '"*" behind StringNotEquals aws:PrincipalAccount',
      assume({ AWS: '*' }, { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } }),
    ],
    [
      '"*" behind StringEqualsIfExists aws:PrincipalOrgID',
      assume({ AWS: '*' }, { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123def4' } }),
    ],
    [
      'NotPrincipal',
      { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
    ],
    ['sts:* to "*"', { Effect: 'Allow', Principal: '*', Action: 'sts:*' }],
  ])('fails %s', (_name, statement) => {
    // GIVEN a trust policy opening the role WHEN checked
    const result = check(roleTrustNotOpen, role([assume({ Service: 'lambda.amazonaws.com' }), statement]));
    // THEN non-compliant, naming the statement
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/#2 allows/);
  });

  test('fails a trust policy the source does not show, as unknown', () => {
    expect(check(roleTrustNotOpen, role(undefined)).reason).toMatch(/unknown/);
  });

  test('fails a statement whose principal is a parameter, as unknown', () => {
    // GIVEN a principal rendered from a parameter (opaque)
    const facts: RoleFacts = {
      ...role([]),
      trustStatements: normalizeStatements({ Statement: [assume({ AWS: { Ref: 'Trusted' } })] }, (v) =>
        typeof v === 'string' ? { text: v, opaque: false } : { text: '${Trusted}', opaque: true },
      ),
    };
    // WHEN checked THEN unknown
    const result = check(roleTrustNotOpen, facts);
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/#1.*unknown/);
  });
});
