/** KMS and IAM responses -> facts: a key and its policy, a role's trust policy, its inline and managed policies. */
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { AttachedPolicy, Role } from '@aws-sdk/client-iam';
import { IdentityPolicyFacts, KeyFacts, RoleFacts } from '../facts';
import { normalizeStatements } from '../policy-document';
import { accountOfArn, regionOfArn, required, withOptional } from './readers';

/**
 * DescribeKey metadata + GetKeyPolicy's `Policy` JSON -> KeyFacts (customer-managed keys: their policy is the
 * organisation's to get right). `policy` undefined: it could not be read, so the key policy is unknown.
 */
export function keyFacts(
  key: Pick<KeyMetadata, 'Arn' | 'KeyId' | 'Description' | 'KeySpec'>,
  policy: string | undefined,
  rotationEnabled?: boolean,
): KeyFacts {
  const arn = required(key.Arn, 'Arn', 'KeyMetadata');
  return withOptional<KeyFacts>(
    {
      kind: 'Key',
      id: arn,
      policyStatements: policy === undefined ? undefined : normalizeStatements(policy),
      // DescribeKey always returns KeySpec; GetKeyRotationStatus undefined: not read (the rule says unknown).
      keySpec: key.KeySpec ?? 'SYMMETRIC_DEFAULT',
    },
    { name: key.KeyId, region: regionOfArn(arn), account: accountOfArn(arn), rotationEnabled },
  );
}

/** The name of a role ARN (`arn:aws:iam::111122223333:role/path/name` -> `name`), or undefined. */
export function roleNameOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/**
 * An AWS-managed policy (`arn:aws:iam::aws:policy/...`). The catalogue judges the documents of customer-managed and
 * inline policies only: at synth a template names AWS-managed policies by ARN without their document (cdk-nag's
 * AwsSolutions-IAM4 judges their use), so reading their documents at run time would judge what synth cannot.
 */
export function isAwsManagedPolicy(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/**
 * GetRole's role -> RoleFacts (MLOPS-IAM-2). `role` undefined: GetRole failed, so the trust policy is unknown and the
 * role is described by its ARN alone. `usedBy`: the judged resources (models) whose role it is.
 */
export function roleFacts(
  arn: string,
  role: Pick<Role, 'Arn' | 'RoleName' | 'AssumeRolePolicyDocument'> | undefined,
  usedBy?: readonly string[],
): RoleFacts {
  const doc = role?.AssumeRolePolicyDocument;
  return withOptional<RoleFacts>(
    // IAM returns the document URL-encoded; normalizeStatements decodes it. A role without one: the document is not
    // shown (never an empty, "trusts nobody" policy).
    { kind: 'Role', id: role?.Arn ?? arn, trustStatements: doc === undefined ? undefined : normalizeStatements(doc) },
    { name: role?.RoleName ?? roleNameOfArn(arn), account: accountOfArn(arn), usedBy },
  );
}

/**
 * A role's inline policies (ListRolePolicies + GetRolePolicy) -> one IdentityPolicyFacts with the role's ARN as id,
 * as the CloudFormation adapter describes a role's `Policies`. `documents` undefined (the listing failed) or holding
 * undefined (one read failed): the statements are unknown. No inline policy: no facts (nothing to judge).
 */
export function inlinePoliciesFacts(
  roleArn: string,
  documents: readonly (string | undefined)[] | undefined,
  usedBy?: readonly string[],
): IdentityPolicyFacts | undefined {
  if (documents !== undefined && documents.length === 0) return undefined;
  const docs = documents?.map((d) => (d === undefined ? undefined : normalizeStatements(d)));
  const name = roleNameOfArn(roleArn);
  return withOptional<IdentityPolicyFacts>(
    {
      kind: 'IdentityPolicy',
      id: roleArn,
      attachedTo: name !== undefined ? [name] : [],
      statements: docs === undefined || docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []),
    },
    { name, account: accountOfArn(roleArn), usedBy },
  );
}

/**
 * A customer-managed policy attached to roles (ListAttachedRolePolicies, then GetPolicy + GetPolicyVersion of its
 * default version) -> IdentityPolicyFacts. `document` undefined: it could not be read, so the statements are unknown.
 */
export function managedPolicyFacts(
  policy: Required<Pick<AttachedPolicy, 'PolicyArn'>> & Pick<AttachedPolicy, 'PolicyName'>,
  document: string | undefined,
  attachedTo: readonly string[],
  usedBy?: readonly string[],
): IdentityPolicyFacts {
  const arn = policy.PolicyArn;
  return withOptional<IdentityPolicyFacts>(
    {
      kind: 'IdentityPolicy',
      id: arn,
      attachedTo: [...attachedTo],
      statements: document === undefined ? undefined : normalizeStatements(document),
    },
    { name: policy.PolicyName, account: accountOfArn(arn), usedBy },
  );
}
