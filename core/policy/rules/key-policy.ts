/**
 * KMS key policy rules (area KMS): a customer-managed key is only as private as its key policy. A key that lets
 * any principal decrypt makes every encryption rule above it meaningless.
 */
import { PolicyStatementFacts } from '../facts';
import { allowsAnyPrincipal, coversAction, principalAccount, restrictsCaller } from '../policy-document';
import { compliant, defineRule, nonCompliant, notApplicable, unknownValue } from '../rule';
import { isProjectAccount, projectAccounts } from './accounts';

/**
 * Actions that turn ciphertext into plaintext: directly, by re-encrypting under a key the caller controls, or by
 * granting themselves (or anyone) decryption.
 */
const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'] as const;

const label = (s: PolicyStatementFacts, i: number) => (s.sid !== undefined ? `"${s.sid}"` : `#${i + 1}`);

/**
 * The key policy's statements as both decrypt rules read them: Deny statements left out; a statement whose effect
 * or actions are unknown, and that may decrypt, listed as unknown; every other one with the decrypt actions it
 * covers.
 */
function readDecryptStatements(statements: readonly PolicyStatementFacts[]) {
  const judged: { s: PolicyStatementFacts; label: string; decrypts: string[] }[] = [];
  const unknown: string[] = [];
  statements.forEach((s, i) => {
    if (s.effect === 'Deny') return;
    const decrypts = DECRYPT_ACTIONS.filter((a) => coversAction(s, a));
    if (s.unknown && (decrypts.length > 0 || s.actions.length === 0)) unknown.push(label(s, i));
    else judged.push({ s, label: label(s, i), decrypts });
  });
  return { judged, unknown };
}

export const keyPolicyNoPublicDecrypt = defineRule({
  id: 'MLOPS-KMS-1',
  title: 'Key policies let no unrestricted principal (*) decrypt',
  severity: 'CRITICAL',
  rationale:
    'A key policy statement that allows kms:Decrypt (or kms:CreateGrant, which grants it) to "*" (or to any ' +
    'account, `arn:aws:iam::*:root`) without a condition pinning the caller’s account or organisation lets any AWS ' +
    'principal decrypt data encrypted with the key, including captured personal data. A condition that is always ' +
    'true (a wildcard value, StringNotEquals, ...IfExists, aws:SecureTransport) pins nothing.',
  remediation:
    'Name the principals (account root, roles) in the statement, or add a condition on aws:PrincipalAccount, ' +
    'aws:PrincipalOrgID, kms:CallerAccount or aws:SourceAccount. Use key.grantDecrypt(role) in CDK.',
  references: { gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'], nist80053: ['AC-3', 'AC-6', 'SC-12'] },
  // At run time the checker reads the policies of the customer-managed keys its resources use (kms:GetKeyPolicy).
  appliesTo: ['Key'],
  check(facts) {
    const statements = facts.policyStatements;
    if (statements === undefined) return unknownValue('the key policy', 'no "*" principal may decrypt');
    const { judged, unknown } = readDecryptStatements(statements);
    const open = judged
      .filter(({ s, decrypts }) => allowsAnyPrincipal(s) && decrypts.length > 0 && !restrictsCaller(s))
      .map(({ label: l, decrypts }) => `${l} allows ${decrypts.join(', ')} to "*"`);
    if (open.length > 0) {
      return nonCompliant(
        `key policy statement(s) ${open.join('; ')} without a condition on the caller's account or organisation`,
      );
    }
    if (unknown.length > 0) {
      return unknownValue(`key policy statement(s) ${unknown.join(', ')}`, 'no "*" principal may decrypt');
    }
    return compliant('no key policy statement lets an unrestricted "*" principal decrypt');
  },
});

/** Conditions whose values are the caller's account. */
const ACCOUNT_CONDITION_KEYS = ['kms:calleraccount', 'aws:principalaccount', 'aws:sourceaccount'];

export const keyPolicyNoForeignDecrypt = defineRule({
  id: 'MLOPS-KMS-2',
  title: 'Key policies let only the project’s accounts decrypt or create grants',
  severity: 'HIGH',
  rationale:
    'A key policy that allows kms:Decrypt or kms:CreateGrant to an account outside the project (neither an ' +
    'environment nor the pipeline’s tooling account) lets that account read everything the key protects, ' +
    'including captured personal data, outside the organisation’s control and audit.',
  remediation:
    'Remove the foreign account from the key policy, or, after a review, add it to the config (an environment or ' +
    'the pipeline account) so that it becomes one of the project’s accounts.',
  references: { gdpr: ['Art. 28', 'Art. 32(1)(b)', 'Art. 44'], nist80053: ['AC-3', 'AC-6', 'SC-12'] },
  appliesTo: ['Key'],
  check(facts, ctx) {
    const statements = facts.policyStatements;
    if (statements === undefined) return unknownValue('the key policy', 'only the project’s accounts may decrypt');
    const foreign: string[] = [];
    const { judged, unknown } = readDecryptStatements(statements);
    let grants = 0;
    for (const { s, label: l, decrypts } of judged) {
      if (s.effect !== 'Allow' || decrypts.length === 0) continue;
      grants += 1;
      const accounts = [
        ...s.principals.flatMap((p) => {
          const a = principalAccount(p);
          return a !== undefined && !/[*?]/.test(a) ? [a] : [];
        }),
        ...s.conditions
          .filter((c) => ACCOUNT_CONDITION_KEYS.includes(c.key.toLowerCase()) && !/Not/i.test(c.operator))
          .flatMap((c) => c.values),
      ];
      const outside = [...new Set(accounts.filter((a) => !isProjectAccount(a, facts, ctx)))];
      if (outside.length > 0) foreign.push(`${l} allows ${decrypts.join(', ')} to account(s) ${outside.join(', ')}`);
    }
    if (foreign.length > 0) {
      return nonCompliant(
        `key policy statement(s) ${foreign.join('; ')}, outside the project's accounts ${projectAccounts(facts, ctx)}`,
      );
    }
    if (unknown.length > 0) {
      return unknownValue(`key policy statement(s) ${unknown.join(', ')}`, 'only the project’s accounts may decrypt');
    }
    return grants === 0
      ? notApplicable('no key policy statement allows decryption or grants')
      : compliant('decryption and grants are allowed to the project’s accounts only');
  },
});

export const keyRotationEnabled = defineRule({
  id: 'MLOPS-KMS-3',
  title: 'Customer-managed symmetric keys rotate automatically',
  severity: 'MEDIUM',
  rationale:
    'Automatic rotation limits how much data one key version protects and how long a leaked key version stays ' +
    'useful (NIST SP 800-57 cryptoperiods).',
  remediation: 'Set EnableKeyRotation to true (enableKeyRotation: true in CDK; enable_key_rotation in Terraform).',
  references: {
    gdpr: ['Art. 32(1)(a)'],
    nist80053: ['SC-12', 'SC-12(1)'],
    awsConfigRule: 'CMK_BACKING_KEY_ROTATION_ENABLED',
  },
  appliesTo: ['Key'],
  check(facts) {
    if (facts.keySpec === undefined) return unknownValue('the key spec', 'symmetric keys must rotate');
    if (facts.keySpec !== 'SYMMETRIC_DEFAULT')
      return notApplicable(`key spec ${facts.keySpec} does not support automatic rotation`);
    if (facts.rotationEnabled === undefined) return unknownValue('EnableKeyRotation', 'it must be true');
    return facts.rotationEnabled
      ? compliant('automatic key rotation is enabled')
      : nonCompliant('automatic key rotation is disabled (EnableKeyRotation is not true); it must be true');
  },
});
