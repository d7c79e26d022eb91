/**
 * The checker judges the execution roles of the models it judges (MLOPS-IAM-1, -2) against moto_server with real
 * AWS SDK v3 clients: GetRole, ListRolePolicies + GetRolePolicy, ListAttachedRolePolicies + GetPolicy +
 * GetPolicyVersion. moto keeps trust and permission policy documents as written (it does not evaluate them), which
 * is all the rules read. A denied read is injected into the real client (SDK middleware): moto allows every call.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { memoryLogger } from '../../lambda/shared/logger';
import { CheckerClients, makeHandler } from '../../lambda/compliance-checker/handler';
import { ComplianceReport } from '../../lambda/compliance-checker/report';
import { REGION } from '../support/fake-account';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';
import { checkerClients, checkerSettings, sagemakerFixtures } from '../support/sagemaker-fixtures';

const TAGS = [
  { Key: 'Owner', Value: 'ml-platform' },
  { Key: 'DataClassification', Value: 'internal' },
];
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
const IMAGE = `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/repo:1.0.0`;
const roleArn = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
const policyArn = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:policy/${name}`;
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

/** Counts the commands a client sends (SDK initialize middleware), by name. */
function count(client: { middlewareStack: unknown }, calls: Map<string, number>, fail?: (name: string) => void) {
  const stack = client.middlewareStack as { add: (mw: unknown, opts: unknown) => void };
  stack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const name = context.commandName ?? '';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      fail?.(name);
      return next(args);
    },
    { step: 'initialize', name: 'count-calls' },
  );
}

describe('compliance checker: the models’ execution roles (MLOPS-IAM-1, -2) on moto_server', () => {
  const moto = useMoto();
  let keyArn: string;
  let topicArn: string;

  beforeAll(async () => {
    const c = checkerClients(moto.clientConfig(REGION));
    keyArn = (await c.kms.send(new CreateKeyCommand({ Description: 'mlops' }))).KeyMetadata?.Arn as string;
    topicArn = (await c.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
    await c.s3.send(
      new CreateBucketCommand({ Bucket: 'reports', CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    // An exposed role: anyone may assume it, and a policy of the account grants s3:GetObject on "*".
    await c.iam!.send(
      new CreateRoleCommand({
        RoleName: 'exposed-role',
        AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
      }),
    );
    await c.iam!.send(
      new CreatePolicyCommand({
        PolicyName: 'read-everything',
        PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
      }),
    );
    await c.iam!.send(
      new AttachRolePolicyCommand({ RoleName: 'exposed-role', PolicyArn: policyArn('read-everything') }),
    );
    // Its compliant twin: SageMaker assumes it, and its inline and attached policies name their resources.
    await c.iam!.send(
      new CreateRoleCommand({
        RoleName: 'scoped-role',
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      }),
    );
    await c.iam!.send(
      new PutRolePolicyCommand({
        RoleName: 'scoped-role',
        PolicyName: 'model-artifacts',
        PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::artifacts/*' }),
      }),
    );
    await c.iam!.send(
      new CreatePolicyCommand({
        PolicyName: 'metrics',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' }),
      }),
    );
    await c.iam!.send(new AttachRolePolicyCommand({ RoleName: 'scoped-role', PolicyArn: policyArn('metrics') }));
    const sm = sagemakerFixtures(c.sagemaker, TAGS);
    await sm.model('exposed-model', IMAGE, { ExecutionRoleArn: roleArn('exposed-role') });
    // Two models share the scoped role: it is read once.
    await sm.model('scoped-model-a', IMAGE, { ExecutionRoleArn: roleArn('scoped-role') });
    await sm.model('scoped-model-b', IMAGE, { ExecutionRoleArn: roleArn('scoped-role') });
  }, 60_000);

  /** A handler over fresh clients (faults stay in one test), counting the IAM calls it makes. */
  function checker(fail?: (name: string) => void) {
    const clients: CheckerClients = checkerClients(moto.clientConfig(REGION));
    const iamCalls = new Map<string, number>();
    count(clients.iam!, iamCalls, fail);
    const handler = makeHandler({
      clients,
      settings: checkerSettings(keyArn, topicArn),
      logger: memoryLogger(),
      region: REGION,
    });
    return { handler, iamCalls, clients };
  }

  const latest = async (clients: CheckerClients): Promise<ComplianceReport> => {
    const out = await clients.s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'reports/latest.json' }));
    return JSON.parse((await out.Body?.transformToString()) ?? '') as ComplianceReport;
  };
  const verdicts = (report: ComplianceReport, rule: string) =>
    report.findings
      .filter((f) => f.ruleId === rule)
      .map((f) => `${f.status} ${f.resourceName ?? f.resourceId}`)
      .sort();

  test('the scheduled scan fails the exposed role (trust open to "*") and its wildcard policy, naming the model; the twin passes', async () => {
    // GIVEN the exposed and the scoped role, each the execution role of models
    const { handler, iamCalls, clients } = checker();
    // WHEN the scheduled scan runs
    await handler(SCHEDULED, { awsRequestId: 'iam-1' });
    const report = await latest(clients);
    // THEN the trust policy open to any principal fails MLOPS-IAM-2 on the exposed role, naming its model
    expect(verdicts(report, 'MLOPS-IAM-2')).toEqual(['COMPLIANT scoped-role', 'NON_COMPLIANT exposed-role']);
    const trust = report.findings.find((f) => f.ruleId === 'MLOPS-IAM-2' && f.status === 'NON_COMPLIANT');
    expect(trust).toMatchObject({
      resourceId: roleArn('exposed-role'),
      resourceKind: 'Role',
      reason: expect.stringMatching(/\(used by exposed-model\)$/),
    });
    // AND the attached policy granting s3:GetObject on "*" fails MLOPS-IAM-1, naming the role's model; the scoped
    // role's inline policy and its attached policy pass
    expect(verdicts(report, 'MLOPS-IAM-1')).toEqual([
      'COMPLIANT metrics',
      'COMPLIANT scoped-role',
      'NON_COMPLIANT read-everything',
    ]);
    const wide = report.findings.find((f) => f.ruleId === 'MLOPS-IAM-1' && f.status === 'NON_COMPLIANT');
    expect(wide).toMatchObject({
      resourceId: policyArn('read-everything'),
      reason: expect.stringContaining('s3:GetObject'),
    });
    expect(wide?.reason).toMatch(/\(used by exposed-model\)$/);
    expect(report.findings.find((f) => f.ruleId === 'MLOPS-IAM-2' && f.status === 'COMPLIANT')?.reason).toMatch(
      /\(used by scoped-model-a, scoped-model-b\)$/,
    );
    // AND the IAM rules are no longer listed as not evaluated; nothing failed to read
    expect(report.notEvaluated.map((n) => n.ruleId)).not.toContain('MLOPS-IAM-1');
    expect(report.notEvaluated.map((n) => n.ruleId)).not.toContain('MLOPS-IAM-2');
    expect(report.errors).toEqual([]);
    // AND each role was read once although two models share one, and each policy document once
    expect(Object.fromEntries(iamCalls)).toEqual({
      GetRoleCommand: 2,
      ListRolePoliciesCommand: 2,
      GetRolePolicyCommand: 1,
      ListAttachedRolePoliciesCommand: 2,
      GetPolicyCommand: 2,
      GetPolicyVersionCommand: 2,
    });
  });

  test('fails rather than passes a role whose inline policy cannot be read (AccessDenied), and records the error', async () => {
    // GIVEN GetRolePolicy denied
    const { handler, clients } = checker((name) => {
      if (name === 'GetRolePolicyCommand')
        throw Object.assign(new Error('injected AccessDenied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
    });
    // WHEN the scheduled scan runs
    await handler(SCHEDULED, { awsRequestId: 'iam-denied' });
    const report = await latest(clients);
    // THEN the scoped role's inline policies are unknown: NON_COMPLIANT, never COMPLIANT
    const inline = report.findings.find((f) => f.ruleId === 'MLOPS-IAM-1' && f.resourceId === roleArn('scoped-role'));
    expect(inline).toMatchObject({ status: 'NON_COMPLIANT', reason: expect.stringMatching(/is unknown/) });
    // AND the denied read is recorded, naming the role and the call
    expect(report.errors).toEqual([
      expect.objectContaining({
        resourceKind: 'IdentityPolicy',
        resource: roleArn('scoped-role'),
        operation: 'iam:GetRolePolicy',
        accessDenied: true,
      }),
    ]);
    // AND the readable trust policy is still judged
    expect(verdicts(report, 'MLOPS-IAM-2')).toEqual(['COMPLIANT scoped-role', 'NON_COMPLIANT exposed-role']);
  });
});
