import { KeyRef } from '../facts';
import { compliant, nonCompliant, RuleResult } from '../rule';

/**
 * The one judgement of "encrypted with a customer-managed KMS key", shared by every encryption rule so they agree on
 * what an unknown key means. A key whose management cannot be shown (a parameter, an import, an unresolvable
 * intrinsic) is non-compliant: the catalogue never reports a guess as compliant. Only a customer-managed key lets the
 * organisation control its key policy, rotation and revocation (crypto-shredding) independently of the service.
 */
export function judgeCustomerManagedKey(key: KeyRef | undefined, what: string): RuleResult {
  if (key === undefined) {
    return nonCompliant(
      `${what} names no KMS key (an AWS-owned or AWS-managed key is used); a customer-managed key is required`,
    );
  }
  if (key.customerManaged === false) {
    return nonCompliant(`${what} uses AWS-managed key ${key.id}; a customer-managed key is required`);
  }
  if (key.customerManaged === undefined) {
    return nonCompliant(
      `${what} uses key ${key.id}, which could not be proved customer-managed; a customer-managed key is required`,
    );
  }
  return compliant(`${what} uses customer-managed key ${key.id}`);
}
