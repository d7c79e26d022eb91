/**
 * Reading a planned instance's attributes: key references, tags, strings and lists known only after apply,
 * policy documents, and the facts every resource has (id, name, region, tags).
 */
import { AWS_MANAGED_ALIAS, isObj, str } from '../adapter-readings';
import { KeyRef } from '../facts';
import { normalizeStatements } from '../policy-document';
import { Instance, REF } from './plan-index';
import { arr, KNOWN_AFTER_APPLY, Path } from './plan';

/** Resource types that can only be customer-managed keys (or aliases, which cannot take the `alias/aws/` prefix). */
const CUSTOMER_KEY_TYPES = [
  'aws_kms_key',
  'aws_kms_replica_key',
  'aws_kms_external_key',
  'aws_kms_replica_external_key',
];

/**
 * A KMS key attribute as a KeyRef.
 * - Known literal: `alias/aws/...` is AWS-managed; any other id, ARN or alias is customer-managed (the convention of
 *   the CloudFormation adapter), unless it was read from a data source, which could be any key: unknown.
 * - Unknown at plan time: customer-managed when the configuration takes it from a KMS key or alias resource of the
 *   same module; otherwise unknown (`customerManaged: undefined`).
 * - Absent: undefined (the service's default key).
 */
export function keyRef(inst: Instance, path: Path): KeyRef | undefined {
  const refs = inst.references(path);
  const fromDataSource = refs.some((r) => r.startsWith('data.'));
  if (!inst.unknown(path)) {
    const v = str(inst.known(path));
    if (v === undefined || v === '') return undefined;
    if (AWS_MANAGED_ALIAS.test(v)) return { id: v, customerManaged: false };
    return { id: v, customerManaged: fromDataSource ? undefined : true };
  }
  const resourceRef = refs.find((r) => {
    const m = REF.exec(r);
    return m !== null && m[1] === undefined && (CUSTOMER_KEY_TYPES.includes(m[2]!) || m[2] === 'aws_kms_alias');
  });
  if (resourceRef !== undefined) return { id: resourceRef, customerManaged: true };
  // Unknown and not configured in a static block: the provider computes it (the service's default key).
  const parent = path.slice(0, -1);
  if (inst.expression(path) === undefined && (parent.length === 0 || inst.expression(parent) !== undefined)) {
    return undefined;
  }
  return { id: refs[0] ?? KNOWN_AFTER_APPLY, customerManaged: undefined };
}

/** `tags_all` (tags plus the provider's default_tags); undefined when only known after apply. */
export function tagsOf(inst: Instance): Record<string, string> | undefined {
  if (inst.unknown(['tags_all'])) return undefined;
  const tags = inst.known(['tags_all']) ?? inst.known(['tags']);
  if (tags === undefined || tags === null) return {};
  if (!isObj(tags)) return undefined;
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
}

export function base(inst: Instance, nameAttr: string, region: string | undefined) {
  const name = str(inst.known([nameAttr]));
  const tags = tagsOf(inst);
  return {
    id: inst.address,
    ...(name !== undefined ? { name } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(tags !== undefined ? { tags } : {}),
  };
}

/** A string attribute, or the marker for one known only after apply. */
export function shown(inst: Instance, path: Path): string | undefined {
  if (inst.unknown(path)) return inst.references(path)[0] ?? KNOWN_AFTER_APPLY;
  return str(inst.known(path));
}

export function stringList(inst: Instance, path: Path): string[] {
  if (inst.unknown(path)) return [KNOWN_AFTER_APPLY];
  return arr(inst.known(path)).map((_, i) => shown(inst, [...path, i]) ?? KNOWN_AFTER_APPLY);
}

/** Number of entries of a block list, 0 when it is absent or unknown. */
export function blockCount(inst: Instance, path: Path): number {
  return arr(inst.known(path)).length;
}

/** A policy document attribute: statements when the plan shows it, undefined when it is known only after apply. */
export function policyStatementsAt(inst: Instance, path: Path) {
  return inst.unknown(path) ? undefined : normalizeStatements(inst.known(path) ?? '{}');
}

/**
 * The statements of a resource's separate policy resources (`aws_s3_bucket_policy`, `aws_ecr_repository_policy`):
 * empty when there are none, undefined when one is known only after apply.
 */
export function joinedPolicies(policies: readonly Instance[]) {
  const docs = policies.map((p) => policyStatementsAt(p, ['policy']));
  return docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []);
}
