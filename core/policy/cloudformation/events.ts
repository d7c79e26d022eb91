/**
 * Facts of a template's EventBridge rules: which S3 events they match, for buckets of which purpose, and
 * the accounts of their targets.
 */
import { arr, bucketPurpose, obj, Obj } from '../adapter-readings';
import { accountOf } from './references';
import { CfnResource, FromTemplateOptions } from './template';
import { base, literalTag, refTarget, renderValue } from './values';
import { s3PatternMatch } from '../event-pattern';
import { BucketPurpose, EventRuleFacts, EventTargetFacts, TAGS } from '../facts';

/**
 * What an event rule's pattern matches among S3 events, and which buckets' (by purpose; `captured`: the logical ids
 * of the buckets an endpoint config of the template captures to).
 */
export function eventRuleFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  byName: Map<string, string>,
  captured: ReadonlySet<string>,
  opts: FromTemplateOptions,
): EventRuleFacts {
  const { matchesS3, buckets } = s3PatternMatch(props.EventPattern);
  const purposeOf = (name: unknown): BucketPurpose | 'unknown' => {
    const target = byName.get(renderValue(name)) ?? refTarget(name);
    const bucket = target !== undefined ? resources[target] : undefined;
    if (bucket?.Type !== 'AWS::S3::Bucket') return 'unknown';
    if (captured.has(target!)) return 'data-capture';
    return bucketPurpose(literalTag(obj(bucket.Properties) ?? {}, TAGS.PURPOSE));
  };
  const bucketPurposes: EventRuleFacts['bucketPurposes'] =
    buckets === 'any'
      ? 'any'
      : buckets.map((n) => (typeof n === 'string' || refTarget(n) !== undefined ? purposeOf(n) : 'unknown'));
  const targetsProp = props.Targets;
  const targets: EventTargetFacts[] | undefined =
    targetsProp === undefined
      ? []
      : arr(targetsProp)?.every((t) => obj(t) !== undefined)
        ? (arr(targetsProp) ?? []).map((t) => ({
            arn: renderValue(obj(t)?.Arn),
            account: accountOf(obj(t)?.Arn, resources),
          }))
        : undefined;
  return {
    ...base(id, props, 'Name', opts),
    kind: 'EventRule',
    matchesS3,
    bucketPurposes,
    targets,
  };
}
