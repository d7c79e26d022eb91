/**
 * The EventBridge reader's branches moto cannot produce (denied reads) and its paging, with an injected client.
 * The happy path runs against moto in test/integration/compliance-checker-events.test.ts.
 */
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventsReader } from '../../../lambda/compliance-checker/collect/events';
import { Scan } from '../../../lambda/compliance-checker/collect/scan';
import { notEvaluatedRules } from '../../../lambda/compliance-checker/report';
import { memoryLogger } from '../../../lambda/shared/logger';
import { evaluate, rulesFor } from '../../../core/policy/catalogue';
import { NOW, POLICY } from '../../support/fake-account';

const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:events:eu-west-1:${ACCOUNT}:rule/${name}`;
const ON_EVERY_BUCKET = JSON.stringify({ source: ['aws.s3'] });
const denied = () =>
  Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

function read(setup: (events: ReturnType<typeof mockClient>) => void) {
  const client = new EventBridgeClient({ region: 'eu-west-1' });
  const events = mockClient(client);
  setup(events);
  const scan = new Scan(memoryLogger(), { pageSize: 1 });
  return { events, scan, reader: new EventsReader(scan, client) };
}

describe('EventBridge reader', () => {
  test('follows NextToken of both listings', async () => {
    // GIVEN two rules on two pages, the second with targets on two pages
    const { events, scan, reader } = read((m) => {
      m.on(ListRulesCommand, { NextToken: undefined }).resolves({
        Rules: [{ Name: 'a', Arn: arn('a') }],
        NextToken: 't',
      });
      m.on(ListRulesCommand, { NextToken: 't' }).resolves({
        Rules: [{ Name: 'b', Arn: arn('b'), EventPattern: ON_EVERY_BUCKET }],
      });
      m.on(ListTargetsByRuleCommand).resolves({ Targets: [] });
      m.on(ListTargetsByRuleCommand, { Rule: 'b', NextToken: undefined }).resolves({
        Targets: [{ Id: '1', Arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f` }],
        NextToken: 'u',
      });
      m.on(ListTargetsByRuleCommand, { Rule: 'b', NextToken: 'u' }).resolves({
        Targets: [{ Id: '2', Arn: 'arn:aws:sqs:eu-west-1:999988887777:q' }],
      });
    });
    // WHEN the reader reads the region
    await reader.all([]);
    // THEN both rules are described, the second with both targets, and judged
    const facts = scan.result().resources;
    expect(facts.map((f) => f.id).sort()).toEqual([arn('a'), arn('b')]);
    expect(events.commandCalls(ListRulesCommand)).toHaveLength(2);
    const findings = evaluate(facts, { policy: POLICY, now: NOW }, 'run').filter((f) => f.ruleId === 'MLOPS-EVENTS-1');
    expect(findings.find((f) => f.resourceId === arn('b'))).toMatchObject({ status: 'NON_COMPLIANT' });
  });

  test('fails a rule whose targets could not be read: unknown, never compliant, and the error recorded', async () => {
    // GIVEN ListTargetsByRule is denied
    const { scan, reader } = read((m) => {
      m.on(ListRulesCommand).resolves({ Rules: [{ Name: 'feed', Arn: arn('feed'), EventPattern: ON_EVERY_BUCKET }] });
      m.on(ListTargetsByRuleCommand).rejects(denied());
    });
    await reader.all([]);
    // THEN the error names the rule and the call, and the rule is judged NON_COMPLIANT for unknown targets
    const result = scan.result();
    expect(result.errors).toEqual([
      expect.objectContaining({ resourceKind: 'EventRule', resource: 'feed', operation: 'events:ListTargetsByRule' }),
    ]);
    const [finding] = evaluate(result.resources, { policy: POLICY, now: NOW }, 'run');
    expect(finding).toMatchObject({ ruleId: 'MLOPS-EVENTS-1', status: 'NON_COMPLIANT' });
    expect(finding!.reason).toMatch(/targets.*unknown/);
  });

  test('fails the listing: one error for the kind, and MLOPS-EVENTS-1 reported not evaluated', async () => {
    // GIVEN ListRules is denied
    const { scan, reader } = read((m) => m.on(ListRulesCommand).rejects(denied()));
    await reader.all([]);
    // THEN nothing is judged, and the report lists the rule as not evaluated, with the failed call
    const result = scan.result();
    expect(result.resources).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({ resourceKind: 'EventRule', resource: '*', operation: 'events:ListRules' }),
    ]);
    expect(notEvaluatedRules(rulesFor('run'), result.errors)).toEqual([
      { ruleId: 'MLOPS-EVENTS-1', reason: expect.stringContaining('events:ListRules AccessDeniedException') },
    ]);
  });
});
