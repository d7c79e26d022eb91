/**
 * Event rules (area EVENTS): an S3 event carries the bucket and object key of captured data, and an event rule
 * with a target in another account hands that account a live feed of them (and, with it, a trigger to read them).
 */
import { compliant, defineRule, nonCompliant, notApplicable, unknownValue } from '../rule';

export const captureEventsStayInAccount = defineRule({
  id: 'MLOPS-EVENTS-1',
  title: 'Events of buckets holding captured data go to targets in the same account only',
  severity: 'HIGH',
  rationale:
    'Forwarding S3 events of a data-capture bucket to an event bus or target in another account discloses which ' +
    'inference records exist (object keys carry endpoint and time) and lets that account act on them, outside the ' +
    'organisation’s control (GDPR Art. 5(1)(f), transfers under Chapter V).',
  remediation:
    'Target only functions, queues or buses of the same account; narrow the pattern to buckets that hold no ' +
    'captured data (detail.bucket.name) if another account must see other S3 events.',
  references: { gdpr: ['Art. 5(1)(f)', 'Art. 28', 'Art. 44'], nist80053: ['AC-4', 'AC-21', 'SC-7'] },
  appliesTo: ['EventRule'],
  stages: ['synth', 'plan', 'run'],
  check(facts) {
    if (facts.matchesS3 === false) return notApplicable('the rule matches no S3 events');
    const purposes = facts.bucketPurposes;
    const capture =
      purposes === 'any' || purposes.some((p) => p === 'data-capture' || p === 'unknown')
        ? purposes === 'any'
          ? 'every bucket (no bucket name filter), data-capture buckets included'
          : 'a bucket that holds (or may hold) captured data'
        : undefined;
    if (capture === undefined) return notApplicable('the rule matches no bucket holding captured data');
    if (facts.targets === undefined) return unknownValue('the rule’s targets', 'targets must be in the same account');
    const foreign = facts.targets.filter(
      (t) => t.account !== undefined && t.account !== 'SELF' && t.account !== facts.account,
    );
    const unknown = facts.targets.filter((t) => t.account === undefined);
    const pattern = facts.matchesS3 === undefined ? 'events (the pattern is not shown)' : 'S3 events';
    if (foreign.length > 0)
      return nonCompliant(
        `the rule sends ${pattern} of ${capture} to target(s) in another account: ` +
          `${foreign.map((t) => `${t.arn} (account ${t.account})`).join(', ')}; targets must be in the same account`,
      );
    if (unknown.length > 0)
      return unknownValue(
        `the account of target(s) ${unknown.map((t) => t.arn).join(', ')}`,
        'targets must be in the same account',
      );
    return compliant(`${pattern} of ${capture} go to targets of the same account only`);
  },
});
