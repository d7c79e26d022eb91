import { EventRuleFacts } from '../../../core/policy';
import { captureEventsStayInAccount } from '../../../core/policy/rules/events';
import { check } from '../../support/policy-facts';

const rule = (o: Partial<EventRuleFacts> = {}): EventRuleFacts => ({
  kind: 'EventRule',
  id: 'CaptureObjectCreated',
  account: '111122223333',
  matchesS3: true,
  bucketPurposes: ['data-capture'],
  targets: [{ arn: '${Detector.Arn}', account: 'SELF' }],
  ...o,
});

describe('MLOPS-EVENTS-1 capture events stay in the account', () => {
  test.each([
    ['a target of the same template', rule()],
    [
      'a literal target in the same account',
      rule({ targets: [{ arn: 'arn:aws:sqs:eu-west-1:111122223333:q', account: '111122223333' }] }),
    ],
  ])('passes %s', (_name, facts) => {
    expect(check(captureEventsStayInAccount, facts).status).toBe('COMPLIANT');
  });

  test.each([
    ['a schedule', rule({ matchesS3: false })],
    ['S3 events of an artifacts bucket only', rule({ bucketPurposes: ['artifacts'] })],
  ])('does not apply to %s', (_name, facts) => {
    expect(check(captureEventsStayInAccount, facts).status).toBe('NOT_APPLICABLE');
  });

  const foreignBus = { arn: 'arn:aws:events:eu-west-1:999988887777:event-bus/default', account: '999988887777' };
  test.each([
    ['capture-bucket events to another account’s bus', rule({ targets: [foreignBus] })],
    [
      'every bucket’s events (no name filter) to another account',
      rule({ bucketPurposes: 'any', targets: [foreignBus] }),
    ],
    ['events of a bucket the source does not describe', rule({ bucketPurposes: ['unknown'], targets: [foreignBus] })],
    [
      'a pattern the source does not show',
      rule({ matchesS3: undefined, bucketPurposes: 'any', targets: [foreignBus] }),
    ],
  ])('fails %s', (_name, facts) => {
    const r = check(captureEventsStayInAccount, facts);
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(/999988887777/);
  });

  test('fails a target whose account is not shown, as unknown', () => {
    const r = check(captureEventsStayInAccount, rule({ targets: [{ arn: '${BusArn}', account: undefined }] }));
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(/unknown/);
  });
});
