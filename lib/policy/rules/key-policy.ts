/**
 * KMS key policy rules (area KMS): a customer-managed key is only as private as its key policy. A key that lets
 * any principal decrypt makes every encryption rule above it meaningless.
 */
import { PolicyStatementFacts } from '../facts';
import { coversAction, isEveryone } from '../policy-document';
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';

/** Actions that turn ciphertext into plaintext (directly, or by re-encrypting under a key the caller controls). */
const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'] as const;

/**
 * Condition keys that pin *who* the caller is. Other conditions (`kms:ViaService`, `aws:SecureTransport`,
 * encryption context) restrict how a call is made, not by whom, so an `*` principal with only those still lets
 * any account in.
 */
export const PRINCIPAL_RESTRICTING_CONDITION_KEYS: readonly string[] = [
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalServiceName',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:userid',
  'kms:CallerAccount',
].map((k) => k.toLowerCase());

function restrictsPrincipal(s: PolicyStatementFacts): boolean {
  return s.conditions.some(
    (c) =>
      PRINCIPAL_RESTRICTING_CONDITION_KEYS.includes(c.key.toLowerCase()) &&
      c.values.length > 0 &&
      !c.values.includes('*') &&
      !/^ForAnyValue:|IfExists$/i.test(c.operator),
  );
}

const label = (s: PolicyStatementFacts, i: number) => (s.sid !== undefined ? `"${s.sid}"` : `#${i + 1}`);

export const keyPolicyNoPublicDecrypt = defineRule({
  id: 'MLOPS-KMS-1',
  title: 'Key policies let no unrestricted principal (*) decrypt',
  severity: 'CRITICAL',
  rationale:
    'A key policy statement that allows kms:Decrypt to "*" without a condition pinning the caller’s account or ' +
    'organisation lets any AWS principal decrypt data encrypted with the key, including captured personal data.',
  remediation:
    'Name the principals (account root, roles) in the statement, or add a condition on aws:PrincipalAccount, ' +
    'aws:PrincipalOrgID, kms:CallerAccount or aws:SourceAccount. Use key.grantDecrypt(role) in CDK.',
  references: { gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'], nist80053: ['AC-3', 'AC-6', 'SC-12'] },
  // At run time the checker reads the policies of the customer-managed keys its resources use (kms:GetKeyPolicy).
  appliesTo: ['Key'],
  check(facts) {
    const statements = facts.policyStatements;
    if (statements === undefined) return unknownValue('the key policy', 'no "*" principal may decrypt');
    const open: string[] = [];
    const unknown: string[] = [];
    statements.forEach((s, i) => {
      if (s.effect === 'Deny') return;
      const decrypts = DECRYPT_ACTIONS.filter((a) => coversAction(s, a));
      if (s.unknown && (decrypts.length > 0 || s.actions.length === 0)) {
        unknown.push(label(s, i));
        return;
      }
      if (s.effect === 'Allow' && isEveryone(s) && decrypts.length > 0 && !restrictsPrincipal(s)) {
        open.push(`${label(s, i)} allows ${decrypts.join(', ')} to "*"`);
      }
    });
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
