/**
 * Facts of a plan's KMS keys and IAM resources: key policies and rotation, role trust policies, and the
 * identity policies (customer-managed and inline).
 */
import { str } from '../adapter-readings';
import { IdentityPolicyFacts, KeyFacts, RoleFacts, TAGS } from '../facts';
import { base, policyStatementsAt, tagsOf } from './attributes';
import { Instance } from './plan-index';

export function keyFacts(inst: Instance, region: string | undefined): KeyFacts {
  const purpose = tagsOf(inst)?.[TAGS.PURPOSE];
  return {
    ...base(inst, 'description', region),
    kind: 'Key',
    ...(typeof purpose === 'string' ? { purpose } : {}),
    policyStatements: policyStatementsAt(inst, ['policy']),
    rotationEnabled: inst.unknown(['enable_key_rotation']) ? undefined : inst.known(['enable_key_rotation']) === true,
    keySpec: inst.unknown(['customer_master_key_spec'])
      ? undefined
      : (str(inst.known(['customer_master_key_spec'])) ?? 'SYMMETRIC_DEFAULT'),
  };
}

export function roleFacts(inst: Instance, region: string | undefined): RoleFacts {
  return {
    ...base(inst, 'name', region),
    kind: 'Role',
    trustStatements: policyStatementsAt(inst, ['assume_role_policy']),
  };
}

/** A customer-managed policy or a role's inline policy; `role` names what an inline policy is attached to. */
export function identityPolicyFacts(inst: Instance, region: string | undefined): IdentityPolicyFacts {
  const role = str(inst.known(['role']));
  return {
    ...base(inst, 'name', region),
    kind: 'IdentityPolicy',
    attachedTo: role !== undefined ? [role] : [],
    statements: policyStatementsAt(inst, ['policy']),
  };
}
