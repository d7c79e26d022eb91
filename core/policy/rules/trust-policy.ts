/**
 * Role trust rules (area IAM): who may assume a role decides who holds its permissions.
 */
import { coversAction } from '../policy-document';
import { defineRule } from '../rule';
import { judgeOpenToAnyPrincipal } from './resource-policy';

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

export const roleTrustNotOpen = defineRule({
  id: 'MLOPS-IAM-2',
  title: 'Role trust policies let no unrestricted principal assume the role',
  severity: 'CRITICAL',
  rationale:
    'A trust policy that allows "*" (or any account, `arn:aws:iam::*:root`) to assume a role hands the role’s ' +
    'permissions, such as reading captured personal data or deploying models, to every AWS account; a condition ' +
    'that is always true (a wildcard aws:PrincipalArn, aws:SecureTransport) restricts nothing.',
  remediation:
    'Name the trusted principals (an account root, a role ARN, a service) or pin the caller with a condition on ' +
    'aws:PrincipalAccount, aws:PrincipalOrgID or a literal aws:PrincipalArn.',
  references: { gdpr: ['Art. 32(1)(b)', 'Art. 25(2)'], nist80053: ['AC-3', 'AC-6', 'IA-2'] },
  appliesTo: ['Role'],
  check(facts) {
    return judgeOpenToAnyPrincipal(facts.trustStatements, 'trust policy', (s) =>
      ASSUME_ACTIONS.some((a) => coversAction(s, a)),
    );
  },
});
