/**
 * The scheduled scan judges the region's EventBridge rules (MLOPS-EVENTS-1) against moto_server with real clients:
 * ListRules and ListTargetsByRule. The bucket a rule matches is a capture bucket because an endpoint config captures
 * to it (untagged): the run-time scan resolves capture destinations across its collections, as synth and plan do.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/compliance-checker/handler';
import { ComplianceReport } from '../../lambda/compliance-checker/report';
import { REGION } from '../support/fake-account';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';
import { captureScene, checkerClients, checkerSettings } from '../support/sagemaker-fixtures';

const FOREIGN_BUS = `arn:aws:events:${REGION}:999988887777:event-bus/default`;
const OBJECT_CREATED = JSON.stringify({
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: ['inference-data'] } },
});

async function forward(events: EventBridgeClient, name: string, target: string): Promise<void> {
  await events.send(new PutRuleCommand({ Name: name, EventPattern: OBJECT_CREATED }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'target', Arn: target }] }));
}

describe('compliance checker: event rules on capture buckets (MLOPS-EVENTS-1) on moto_server', () => {
  const moto = useMoto();

  test('the scheduled scan fails a rule forwarding the capture bucket’s events to another account; the twin passes', async () => {
    // GIVEN an endpoint config capturing to an untagged bucket, a rule forwarding that bucket's Object Created events
    // to the default bus of another account, and a same-account twin forwarding them to this account's bus
    const c = checkerClients(moto.clientConfig(REGION));
    const { keyArn, topicArn } = await captureScene(c);
    await forward(c.events!, 'capture-to-partner', FOREIGN_BUS);
    await forward(c.events!, 'capture-to-self', `arn:aws:events:${REGION}:${MOTO_ACCOUNT}:event-bus/default`);
    // WHEN the scheduled scan runs
    await makeHandler({
      clients: c,
      settings: checkerSettings(keyArn, topicArn),
      logger: memoryLogger(),
      region: REGION,
    })({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, { awsRequestId: 'events-1' });
    const out = await c.s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'reports/latest.json' }));
    const report = JSON.parse((await out.Body?.transformToString()) ?? '') as ComplianceReport;
    // THEN the forwarding rule fails MLOPS-EVENTS-1, named, with the foreign target; the twin passes
    const verdicts = report.findings.filter((f) => f.ruleId === 'MLOPS-EVENTS-1');
    expect(verdicts.map((f) => `${f.status} ${f.resourceName}`).sort()).toEqual([
      'COMPLIANT capture-to-self',
      'NON_COMPLIANT capture-to-partner',
    ]);
    expect(verdicts.find((f) => f.status === 'NON_COMPLIANT')).toMatchObject({
      resourceId: `arn:aws:events:${REGION}:${MOTO_ACCOUNT}:rule/capture-to-partner`,
      reason: expect.stringContaining(`${FOREIGN_BUS} (account 999988887777)`),
    });
    // AND the rule is evaluated: not listed as not evaluated, nothing failed to read
    expect(report.notEvaluated.map((n) => n.ruleId)).not.toContain('MLOPS-EVENTS-1');
    expect(report.errors).toEqual([]);
  });
});
