/** EventBridge responses -> facts: a rule (ListRules), its targets (ListTargetsByRule), the buckets it matches. */
import type { Rule, Target } from '@aws-sdk/client-eventbridge';
import { s3PatternMatch } from '../event-pattern';
import { BucketPurpose, EventRuleFacts, EventTargetFacts, ResourceFacts } from '../facts';
import { accountOfArn, regionOfArn, required, withOptional } from './readers';

/**
 * A rule of ListRules and its targets -> EventRuleFacts, as the CloudFormation and Terraform adapters describe one.
 * `targets` undefined: ListTargetsByRule failed, so the target list is unknown. `buckets`: the scan's facts, with
 * capture destinations already marked (`withCaptureDestinations`): a bucket an endpoint captures to holds captured
 * data, tagged or not; a bucket the scan did not describe (another account's, or unread) is `unknown`.
 */
export function eventRuleFacts(
  rule: Pick<Rule, 'Arn' | 'Name' | 'EventPattern'>,
  targets: readonly Pick<Target, 'Arn'>[] | undefined,
  buckets: readonly ResourceFacts[],
): EventRuleFacts {
  const arn = required(rule.Arn, 'Arn', 'Rule');
  const { matchesS3, buckets: named } = s3PatternMatch(rule.EventPattern);
  const purposeOf = (name: unknown): BucketPurpose | 'unknown' => {
    const bucket = typeof name === 'string' ? buckets.find((b) => b.kind === 'Bucket' && b.name === name) : undefined;
    if (bucket?.kind !== 'Bucket') return 'unknown';
    return bucket.captureDestination === true ? 'data-capture' : bucket.purpose;
  };
  const targetFacts: EventTargetFacts[] | undefined = targets?.map((t) => ({
    arn: t.Arn ?? '',
    account: accountOfArn(t.Arn),
  }));
  return withOptional<EventRuleFacts>(
    {
      kind: 'EventRule',
      id: arn,
      matchesS3,
      bucketPurposes: named === 'any' ? 'any' : named.map(purposeOf),
      targets: targetFacts,
    },
    { name: rule.Name, region: regionOfArn(arn), account: accountOfArn(arn) },
  );
}
