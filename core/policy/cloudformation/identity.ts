/**
 * Facts of a template's KMS keys and IAM resources: key policies and rotation, role trust policies, and the
 * identity policies (managed, inline, `AWS::IAM::Policy`).
 */
import { arr, hidden, obj, Obj, str } from '../adapter-readings';
import { cfnRenderer } from './references';
import { CfnResource, FromTemplateOptions } from './template';
import { base, flag, literalTag, refTarget, renderValue } from './values';
import { IdentityPolicyFacts, KeyFacts, RoleFacts, TAGS } from '../facts';
import { normalizeStatements } from '../policy-document';

export function keyFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): KeyFacts {
  const purpose = literalTag(props, TAGS.PURPOSE);
  return {
    ...base(id, props, undefined, opts),
    kind: 'Key',
    ...(purpose !== undefined ? { purpose } : {}),
    policyStatements: hidden(props.KeyPolicy)
      ? undefined
      : normalizeStatements(props.KeyPolicy ?? {}, cfnRenderer(resources)),
    rotationEnabled: flag(props.EnableKeyRotation, false),
    keySpec: props.KeySpec === undefined ? 'SYMMETRIC_DEFAULT' : str(props.KeySpec),
  };
}

export function roleFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): RoleFacts {
  const doc = props.AssumeRolePolicyDocument;
  return {
    ...base(id, props, 'RoleName', opts),
    kind: 'Role',
    trustStatements: hidden(doc) ? undefined : normalizeStatements(doc, cfnRenderer(resources)),
  };
}

/** Managed policies and `AWS::IAM::Policy`: one document each. Roles: their inline policies, as one document. */
export function identityPolicyFacts(
  id: string,
  resource: CfnResource,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): IdentityPolicyFacts | undefined {
  const props = obj(resource.Properties) ?? {};
  const render = cfnRenderer(resources);
  const attached = (v: unknown) => (arr(v) ?? []).map((r) => refTarget(r) ?? renderValue(r));
  const region = opts.region !== undefined ? { region: opts.region } : {};
  if (resource.Type === 'AWS::IAM::Role') {
    const inline = props.Policies;
    if (inline === undefined) return undefined;
    const docs = hidden(inline)
      ? [undefined]
      : (arr(inline) ?? []).map((p) => normalizeStatements(obj(p)?.PolicyDocument, render));
    return {
      id,
      ...region,
      kind: 'IdentityPolicy',
      attachedTo: [id],
      statements: docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []),
    };
  }
  const name = str(props.ManagedPolicyName) ?? str(props.PolicyName);
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    ...region,
    kind: 'IdentityPolicy',
    attachedTo: attached(props.Roles),
    statements: normalizeStatements(props.PolicyDocument, render),
  };
}
