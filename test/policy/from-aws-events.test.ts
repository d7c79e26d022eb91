/** The run-time adapter's EventBridge mapping: ListRules + ListTargetsByRule -> EventRuleFacts, as synth and plan. */
import { ruleById } from '../../core/policy/catalogue';
import { BucketFacts, EventRuleFacts } from '../../core/policy/facts';
import { eventRuleFacts } from '../../core/policy/from-aws';

const ACCOUNT = '111122223333';
const RULE_ARN = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/capture-feed`;
const bucket = (name: string, extra: Partial<BucketFacts> = {}): BucketFacts => ({
  kind: 'Bucket',
  id: `arn:aws:s3:::${name}`,
  name,
  purpose: 'other',
  encryption: { type: 'aws:kms' },
  versioned: true,
  publicAccessBlocked: true,
  accessLogging: true,
  tlsOnly: true,
  ...extra,
});
const BUCKETS = [bucket('capture', { captureDestination: true }), bucket('reports')];
const pattern = (names?: string[]) =>
  JSON.stringify({
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    ...(names ? { detail: { bucket: { name: names } } } : {}),
  });
const check = (facts: EventRuleFacts) => ruleById('MLOPS-EVENTS-1')!.check(facts, {} as never);

describe('eventRuleFacts (run time)', () => {
  test('maps a rule on the capture bucket with a foreign bus target, and MLOPS-EVENTS-1 fails naming it', () => {
    // GIVEN a rule of the default bus matching the capture bucket's Object Created events, targeting another account
    const facts = eventRuleFacts(
      { Arn: RULE_ARN, Name: 'capture-feed', EventPattern: pattern(['capture']) },
      [{ Arn: 'arn:aws:events:eu-west-1:999988887777:event-bus/default' }],
      BUCKETS,
    );
    // THEN the facts are those of the other adapters
    expect(facts).toEqual({
      kind: 'EventRule',
      id: RULE_ARN,
      name: 'capture-feed',
      region: 'eu-west-1',
      account: ACCOUNT,
      matchesS3: true,
      bucketPurposes: ['data-capture'],
      targets: [{ arn: 'arn:aws:events:eu-west-1:999988887777:event-bus/default', account: '999988887777' }],
    });
    // AND the rule fails, naming the foreign target
    expect(check(facts)).toMatchObject({ status: 'NON_COMPLIANT', reason: expect.stringContaining('999988887777') });
  });

  test('a same-account twin passes; a rule on other buckets and a schedule are not applicable', () => {
    const self = [{ Arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:detector` }];
    expect(check(eventRuleFacts({ Arn: RULE_ARN, EventPattern: pattern(['capture']) }, self, BUCKETS)).status).toBe(
      'COMPLIANT',
    );
    const foreign = [{ Arn: 'arn:aws:sqs:eu-west-1:999988887777:q' }];
    expect(check(eventRuleFacts({ Arn: RULE_ARN, EventPattern: pattern(['reports']) }, foreign, BUCKETS)).status).toBe(
      'NOT_APPLICABLE',
    );
    expect(check(eventRuleFacts({ Arn: RULE_ARN }, foreign, BUCKETS)).status).toBe('NOT_APPLICABLE');
  });

  test('fails on every bucket (no name filter) and on a bucket the scan did not describe', () => {
    const foreign = [{ Arn: 'arn:aws:sqs:eu-west-1:999988887777:q' }];
    const any = eventRuleFacts({ Arn: RULE_ARN, EventPattern: pattern() }, foreign, BUCKETS);
    expect(any.bucketPurposes).toBe('any');
    expect(check(any).status).toBe('NON_COMPLIANT');
    const unread = eventRuleFacts({ Arn: RULE_ARN, EventPattern: pattern(['elsewhere']) }, foreign, BUCKETS);
    expect(unread.bucketPurposes).toEqual(['unknown']);
    expect(check(unread).status).toBe('NON_COMPLIANT');
  });

  test('rejects an unread target list as unknown, never compliant', () => {
    // GIVEN ListTargetsByRule failed (targets undefined)
    const facts = eventRuleFacts({ Arn: RULE_ARN, EventPattern: pattern(['capture']) }, undefined, BUCKETS);
    // THEN the target list is unknown and the rule cannot be shown compliant
    expect(facts.targets).toBeUndefined();
    expect(check(facts)).toMatchObject({ status: 'NON_COMPLIANT', reason: expect.stringMatching(/targets.*unknown/) });
  });
});
