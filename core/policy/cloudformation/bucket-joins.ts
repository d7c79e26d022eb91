/**
 * What a template says about a bucket from other resources: the bucket policies that target it and the
 * buckets whose server access logs it receives, joined by reference or by the bucket's rendered name.
 */
import { isObj, obj } from '../adapter-readings';
import { cfnRenderer, referencesIn } from './references';
import { CfnResource } from './template';
import { refTarget, renderValue } from './values';
import { PolicyStatementFacts } from '../facts';
import { enforcesTls, normalizeStatements } from '../policy-document';

/** A bucket's policy as the template shows it: its statements (empty: no policy) and the TLS-only verdict. */
export interface BucketPolicyFacts {
  readonly statements: PolicyStatementFacts[] | undefined;
  readonly tlsOnly: boolean | undefined;
}

/** Bucket logical ids by their BucketName as rendered (a literal, or a `Fn::Sub` written the same way). */
export function bucketsByName(resources: Readonly<Record<string, CfnResource>>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    const name = isObj(r) ? obj(r.Properties)?.BucketName : undefined;
    if (isObj(r) && r.Type === 'AWS::S3::Bucket' && name !== undefined) byName.set(renderValue(name), id);
  }
  return byName;
}

/**
 * The bucket a bucket policy is for: a `Ref`, or a `Fn::Sub` / `Fn::Join` naming one bucket of the template, or a
 * literal bucket name. Undefined when the template cannot tell (a parameter, another template's bucket).
 */
function policyBucket(bucket: unknown, resources: Readonly<Record<string, CfnResource>>, byName: Map<string, string>) {
  // The bucket's name, literal or written the same way (`Fn::Sub: ${AppName}-${AWS::Region}`) as its BucketName.
  const named = byName.get(renderValue(bucket));
  if (named !== undefined) return named;
  if (typeof bucket === 'string') return undefined;
  const found = { refs: [] as string[], opaque: false };
  referencesIn(bucket, found);
  const buckets = [...new Set(found.refs.filter((r) => resources[r]?.Type === 'AWS::S3::Bucket'))];
  if (found.opaque || buckets.length !== 1) return undefined;
  // A name built around the bucket (`${Bucket}-logs`) is another bucket: only the bare reference counts.
  return renderValue(bucket) === `\${${buckets[0]}}` ? buckets[0] : undefined;
}

/**
 * The policy of each bucket (by logical id): its statements and TLS-only verdict when the template shows the
 * bucket's policy (or its absence); unknown when a policy of the template targets a bucket it cannot identify (it
 * might be this one).
 */
export function bucketPolicies(
  resources: Readonly<Record<string, CfnResource>>,
  byName: Map<string, string>,
): (id: string) => BucketPolicyFacts {
  const render = cfnRenderer(resources);
  const statements = new Map<string, PolicyStatementFacts[] | undefined>();
  let unidentified = false;
  for (const r of Object.values(resources)) {
    if (!isObj(r) || r.Type !== 'AWS::S3::BucketPolicy') continue;
    const target = policyBucket(r.Properties?.Bucket, resources, byName);
    if (target === undefined) {
      unidentified = true;
      continue;
    }
    const doc = normalizeStatements(r.Properties?.PolicyDocument, render);
    const before = statements.get(target);
    statements.set(
      target,
      doc === undefined || (statements.has(target) && before === undefined) ? undefined : [...(before ?? []), ...doc],
    );
  }
  return (id) => {
    const name = resources[id]?.Properties?.BucketName;
    const names = [`\${${id}}`, ...(name !== undefined ? [renderValue(name)] : [])];
    if (!statements.has(id))
      return unidentified ? { statements: undefined, tlsOnly: undefined } : { statements: [], tlsOnly: false };
    const own = statements.get(id);
    const verdict = enforcesTls(own, names);
    // Another policy that might be this bucket's could add statements: the list is then not the whole policy.
    return {
      statements: unidentified ? undefined : own,
      tlsOnly: verdict === false && unidentified ? undefined : verdict,
    };
  };
}

/**
 * Buckets that receive another bucket's server access logs: the target of some bucket's
 * LoggingConfiguration.DestinationBucketName (a `Ref`, or the same rendering as its BucketName).
 */
export function logTargets(resources: Readonly<Record<string, CfnResource>>, byName: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [id, r] of Object.entries(resources)) {
    if (!isObj(r) || r.Type !== 'AWS::S3::Bucket') continue;
    const destination = obj(obj(r.Properties)?.LoggingConfiguration)?.DestinationBucketName;
    if (destination === undefined) continue;
    const target = refTarget(destination) ?? byName.get(renderValue(destination));
    if (target !== undefined && target !== id && resources[target]?.Type === 'AWS::S3::Bucket') out.add(target);
  }
  return out;
}
