/**
 * Facts of a plan's EventBridge rules with their targets: which S3 events they match, for buckets of which
 * purpose, and the accounts of their targets.
 */
import { str } from '../adapter-readings';
import { s3PatternMatch } from '../event-pattern';
import { BucketFacts, BucketPurpose, EventRuleFacts, EventTargetFacts, SELF_ACCOUNT } from '../facts';
import { arnParts } from '../policy-document';
import { base, shown } from './attributes';
import { Instance, parentOf, PlanIndex } from './plan-index';
import { KNOWN_AFTER_APPLY } from './plan';

/**
 * The account of an event target's ARN: the literal account of a known ARN; for an ARN known only after apply,
 * `SELF` when it comes from a resource of this configuration under the rule's own provider configuration (a resource
 * under another provider configuration may be in another account: unknown).
 */
function targetAccount(target: Instance, rule: Instance, index: PlanIndex): string | undefined {
  if (!target.unknown(['arn'])) {
    const account = arnParts(str(target.known(['arn'])) ?? '')[4];
    return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
  }
  const from = index.referencedResource(target, ['arn']);
  return from !== undefined && from.provider !== undefined && from.provider === rule.provider
    ? SELF_ACCOUNT
    : undefined;
}

/**
 * An EventBridge rule (`aws_cloudwatch_event_rule`) with its `aws_cloudwatch_event_target`s, joined by the rule's
 * name when the plan knows it, else by reference. The buckets its pattern names are described by their facts
 * (`buckets`, capture destinations already marked): a bucket an endpoint captures to holds captured data, tagged or
 * not. A pattern known only after apply matches what it may match: the buckets its expression refers to, or any.
 */
export function eventRuleFacts(
  inst: Instance,
  index: PlanIndex,
  buckets: ReadonlyMap<Instance, BucketFacts>,
  region: string | undefined,
): EventRuleFacts {
  const purposeOf = (b: BucketFacts | undefined): BucketPurpose | 'unknown' =>
    b === undefined ? 'unknown' : b.captureDestination === true ? 'data-capture' : b.purpose;
  const byName = (name: unknown) =>
    typeof name === 'string' ? [...buckets.values()].find((b) => b.name === name) : undefined;
  const patternShown = !inst.unknown(['event_pattern']);
  const { matchesS3, buckets: named } = s3PatternMatch(inst.known(['event_pattern']) ?? undefined, patternShown);
  let bucketPurposes: EventRuleFacts['bucketPurposes'];
  if (!patternShown) {
    const referenced = index.referencedAll(inst, ['event_pattern'], ['aws_s3_bucket']);
    bucketPurposes = referenced.length > 0 ? referenced.map((b) => purposeOf(buckets.get(b))) : 'any';
  } else bucketPurposes = named === 'any' ? 'any' : named.map((n) => purposeOf(byName(n)));
  // A target whose rule the plan does not show could belong to this rule: the target list is then not shown.
  const targetsOfRules = index
    .ofType('aws_cloudwatch_event_target')
    .map((t) => ({ t, rule: parentOf(index, t, 'rule', 'aws_cloudwatch_event_rule', 'name') }));
  const orphan = targetsOfRules.some(({ t, rule }) => rule === undefined && t.unknown(['rule']));
  const targets: EventTargetFacts[] | undefined = orphan
    ? undefined
    : targetsOfRules
        .filter(({ rule }) => rule === inst)
        .map(({ t }) => ({ arn: shown(t, ['arn']) ?? KNOWN_AFTER_APPLY, account: targetAccount(t, inst, index) }));
  return { ...base(inst, 'name', region), kind: 'EventRule', matchesS3, bucketPurposes, targets };
}
