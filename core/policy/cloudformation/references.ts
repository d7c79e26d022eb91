/**
 * What a template value refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`, imports) and what that proves: whether a
 * key is customer-managed, which account an ARN is in, whether a policy document value is known.
 */
import { AWS_MANAGED_ALIAS, intrinsicName, isObj, str } from '../adapter-readings';
import { CfnResource, importKey } from './template';
import { refTarget, renderValue } from './values';
import { KeyRef, SELF_ACCOUNT } from '../facts';
import { arnParts, ValueRenderer } from '../policy-document';

/**
 * Every reference inside a value (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`), and whether the value
 * contains an intrinsic whose result the template alone cannot know (`Fn::ImportValue`, `Fn::If`, `Fn::FindInMap`...).
 */
export function referencesIn(v: unknown, out: { refs: string[]; opaque: boolean }): void {
  if (Array.isArray(v)) {
    v.forEach((x) => referencesIn(x, out));
    return;
  }
  if (!isObj(v)) return;
  const fn = intrinsicName(v);
  if (fn === undefined) {
    Object.values(v).forEach((x) => referencesIn(x, out));
    return;
  }
  const body = v[fn];
  switch (fn) {
    case 'Fn::ImportValue': {
      if (typeof body === 'string') out.refs.push(importKey(body));
      else out.opaque = true;
      return;
    }
    case 'Ref':
    case 'Fn::GetAtt': {
      const t = refTarget(v);
      if (t === undefined) out.opaque = true;
      else out.refs.push(t);
      return;
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(body) ? [body[0], body[1]] : [body, undefined];
      const local = isObj(vars) ? vars : {};
      for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = m[1];
        if (name in local) referencesIn(local[name], out);
        else out.refs.push(name.split('.')[0]);
      }
      return;
    }
    case 'Fn::Join':
    case 'Fn::Select':
    case 'Fn::Split':
    case 'Fn::Base64':
      referencesIn(body, out);
      return;
    default:
      out.opaque = true;
  }
}

const KMS_KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/**
 * The shapes KMS accepts for a key: a key id (a UUID, or `mrk-` and 32 hex digits for a multi-Region key), a key
 * ARN, an alias name or an alias ARN.
 */
const KEY_SHAPE =
  /^((arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/[A-Za-z0-9/_-]+)$/;

/**
 * A KMS key property as a KeyRef.
 * - `Ref` / `Fn::GetAtt` of an `AWS::KMS::Key` (or replica key, or an alias resource) in the template: customer-managed,
 *   because a template can only create customer-managed keys, and alias resources cannot take the reserved
 *   `alias/aws/` prefix.
 * - A literal `alias/aws/...` (or an ARN ending in `:alias/aws/...`): AWS-managed.
 * - Any other literal key id, key ARN or alias (possibly joined with pseudo parameters): customer-managed. An AWS-managed
 *   key is in practice named by its reserved alias; naming one by its key id is possible but rare, and the run-time
 *   adapter (which asks KMS for KeyManager) catches it.
 * - A parameter, an import, a condition or another resource's attribute: unknown (`customerManaged: undefined`).
 */
export function keyRef(v: unknown, resources: Readonly<Record<string, CfnResource>>): KeyRef | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const id = renderValue(v);
  if (AWS_MANAGED_ALIAS.test(id)) return { id, customerManaged: false };
  const found = { refs: [] as string[], opaque: false };
  referencesIn(v, found);
  if (found.opaque) return { id, customerManaged: undefined };
  // A literal that is neither a key id, a key ARN nor an alias (`"String"`, a typo) names no key anyone can show.
  if (typeof v === 'string' && !KEY_SHAPE.test(v)) return { id, customerManaged: undefined };
  for (const target of found.refs) {
    if (target.startsWith('AWS::')) continue; // pseudo parameters: partition, region, account
    const type = resources[target]?.Type;
    if (type === 'AWS::KMS::Alias') {
      const alias = str(resources[target].Properties?.AliasName);
      if (alias !== undefined && AWS_MANAGED_ALIAS.test(alias)) return { id, customerManaged: false };
      continue;
    }
    if (type === undefined || !KMS_KEY_TYPES.has(type)) return { id, customerManaged: undefined };
  }
  return { id, customerManaged: true };
}

/**
 * The account of an ARN-valued property: `SELF` for a resource of the template (or the AWS::AccountId pseudo
 * parameter), the literal account of an ARN, undefined otherwise (a parameter, an import, a condition).
 */
export function accountOf(v: unknown, resources: Readonly<Record<string, CfnResource>>): string | undefined {
  const found = { refs: [] as string[], opaque: false };
  referencesIn(v, found);
  if (found.opaque) return undefined;
  const text = renderValue(v);
  const target = refTarget(v);
  if (target !== undefined) return resources[target] !== undefined ? SELF_ACCOUNT : undefined;
  const parts = arnParts(text);
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const account = parts[4] ?? '';
  if (account === '${AWS::AccountId}') return SELF_ACCOUNT;
  if (/^\d{12}$/.test(account)) return account;
  // A resource of the template whose attribute is the account (`${Role.Arn}`) is this account too.
  return undefined;
}

/**
 * Renders a policy document value for `normalizeStatements`: references to resources and pseudo parameters are
 * known (they name one thing), a parameter, a condition, an import or a lookup is opaque.
 */
export function cfnRenderer(resources: Readonly<Record<string, CfnResource>>): ValueRenderer {
  return (v) => {
    const found = { refs: [] as string[], opaque: false };
    referencesIn(v, found);
    const opaque = found.opaque || found.refs.some((r) => !r.startsWith('AWS::') && resources[r] === undefined);
    return { text: renderValue(v), opaque };
  };
}
