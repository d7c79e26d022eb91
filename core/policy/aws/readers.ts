/**
 * What every run-time reader shares: the KMS key lookup, ARN fields, SDK tag lists as a record, and the two builders
 * that make a facts object (a required field or a TypeError; optional fields only when the response shows them).
 */
import type { Tag as SageMakerTag } from '@aws-sdk/client-sagemaker';
import type { Tag as EcrTag } from '@aws-sdk/client-ecr';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { KeyRef } from '../facts';

/**
 * Tells whether a KMS key (id, ARN or alias, exactly as a resource property carries it) is customer-managed.
 * Returns undefined when it could not be determined (DescribeKey denied or not yet looked up).
 */
export type KeyLookup = (keyId: string) => boolean | undefined;

export const UNKNOWN_KEYS: KeyLookup = () => undefined;

/** `KeyManager` of a DescribeKey result: CUSTOMER -> true, AWS -> false, absent -> undefined. */
export function isCustomerManaged(key: Pick<KeyMetadata, 'KeyManager'> | undefined): boolean | undefined {
  if (key?.KeyManager === 'CUSTOMER') return true;
  if (key?.KeyManager === 'AWS') return false;
  return undefined;
}

/** The region field of an ARN (`arn:partition:service:region:account:resource`), or undefined. */
export function regionOfArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] !== '' ? parts[3] : undefined;
}

/** The account field of an ARN, or undefined. */
export function accountOfArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' ? parts[4] : undefined;
}

/**
 * Tag lists (SageMaker `{Key, Value}` or ECR `{Key, Value}`) -> a record. `undefined` in, `undefined` out: a caller
 * that did not read tags must not claim "no tags".
 */
export function tagsToRecord(tags: readonly (SageMakerTag | EcrTag)[] | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const t of tags) {
    if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  }
  return out;
}

/** A key reference with what the lookup knows of it; undefined when no key is named. */
export function keyRef(keyId: string | undefined, keys: KeyLookup): KeyRef | undefined {
  if (keyId === undefined || keyId === '') return undefined;
  return { id: keyId, customerManaged: keys(keyId) };
}

/** A field that identifies the resource: without it the response cannot be described, so it throws. */
export function required<T>(value: T | undefined, field: string, shape: string): T {
  if (value === undefined) {
    throw new TypeError(`${shape}.${field} is missing from the AWS response; the adapter cannot identify the resource`);
  }
  return value;
}

/** `base` with the fields of `extra` that are defined: a fact the response does not show stays absent. */
export function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}
