/**
 * Faults never lower the truth, and residency is checked across regions: the compliance checker against
 * moto_server with real AWS SDK v3 clients, with faults injected into those clients by SDK middleware (the request
 * never leaves the client, the error is what the SDK would raise after its retries). Everything not faulted is real.
 */
import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { memoryLogger } from '../../lambda/shared/logger';
import { CollectorClients } from '../../lambda/compliance-checker/collect';
import { CheckerClients, makeHandler } from '../../lambda/compliance-checker/handler';
import { ComplianceReport } from '../../lambda/compliance-checker/report';
import { REGION } from '../support/fake-account';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';
import { checkerClients, checkerSettings, configChangeEvent, sagemakerFixtures } from '../support/sagemaker-fixtures';

const OUTSIDE = 'us-east-1'; // not in POLICY.allowedRegions
const TAGS = [
  { Key: 'Owner', Value: 'ml-platform' },
  { Key: 'DataClassification', Value: 'internal' },
];
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

type Observer = (commandName: string, input: Record<string, unknown>) => void;

/** Runs `observe` on every command a client sends, before it is sent (SDK initialize middleware). */
function observe(client: { middlewareStack: unknown }, name: string, fn: Observer): void {
  const stack = client.middlewareStack as { add: (mw: unknown, opts: unknown) => void };
  stack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        fn(context.commandName ?? '', args.input);
        return next(args);
      },
    { step: 'initialize', name },
  );
}

/** Makes every call of the named commands fail with `code` before it is sent. */
function inject(client: { middlewareStack: unknown }, commands: readonly string[], code: string): void {
  observe(client, `inject-${code}`, (commandName) => {
    if (commands.includes(commandName)) {
      throw Object.assign(new Error(`injected ${code}`), { name: code, $metadata: { httpStatusCode: 400 } });
    }
  });
}

describe('compliance checker faults and residency against moto_server', () => {
  const moto = useMoto();
  let keyArn: string;
  let topicArn: string;
  const clientsFor = (region: string): CheckerClients => checkerClients(moto.clientConfig(region));

  beforeAll(async () => {
    const home = clientsFor(REGION);
    keyArn = (await home.kms.send(new CreateKeyCommand({ Description: 'mlops' }))).KeyMetadata?.Arn as string;
    topicArn = (await home.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
    // The capture key's policy lets anyone decrypt: MLOPS-KMS-1 must catch it at run time too.
    await home.kms.send(
      new PutKeyPolicyCommand({
        KeyId: keyArn,
        PolicyName: 'default',
        Policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            { Sid: 'AnyoneDecrypts', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
          ],
        }),
      }),
    );
    for (const Bucket of ['reports', 'access-logs', 'capture']) {
      await home.s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
      );
    }
    // A data-capture bucket configured as the platform configures it: every bucket rule must read COMPLIANT.
    const capture = { Bucket: 'capture' };
    await home.s3.send(
      new PutBucketEncryptionCommand({
        ...capture,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }],
        },
      }),
    );
    await home.s3.send(
      new PutBucketPolicyCommand({
        ...capture,
        Policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Resource: ['arn:aws:s3:::capture', 'arn:aws:s3:::capture/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      }),
    );
    await home.s3.send(
      new PutPublicAccessBlockCommand({
        ...capture,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await home.s3.send(new PutBucketVersioningCommand({ ...capture, VersioningConfiguration: { Status: 'Enabled' } }));
    await home.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        ...capture,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'retention',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              Expiration: { Days: 29 },
              NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            },
          ],
        },
      }),
    );
    await home.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'access-logs',
        Policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::access-logs/*',
            },
          ],
        }),
      }),
    );
    await home.s3.send(
      new PutBucketLoggingCommand({
        ...capture,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'access-logs', TargetPrefix: 'capture/' } },
      }),
    );
    await home.s3.send(
      new PutBucketTaggingCommand({
        ...capture,
        Tagging: { TagSet: [...TAGS, { Key: 'mlops:purpose', Value: 'data-capture' }] },
      }),
    );

    // An endpoint with violations in the home region, and a model someone created outside the allowed regions.
    const image = `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/repo:1.0.0`;
    const sm = sagemakerFixtures(home.sagemaker, TAGS);
    await sm.model('m', image);
    await sm.endpointConfig('bare-config', 'm');
    await sm.endpoint('prod-ep', 'bare-config', 'production');
    await sagemakerFixtures(clientsFor(OUTSIDE).sagemaker, TAGS).model('stray', image);
  }, 60_000);

  /** A handler over fresh clients (so injected faults stay in one test), recording metrics and notifications. */
  function checker(fault?: (home: CheckerClients) => void) {
    const home = clientsFor(REGION);
    fault?.(home);
    const published: string[] = [];
    const metrics: { name: string; rule?: string; value: number }[] = [];
    observe(home.sns, 'record-publish', (_c, input) => {
      if (typeof input.Message === 'string') published.push(input.Message);
    });
    observe(home.cloudwatch, 'record-metrics', (_c, input) => {
      const data = (input.MetricData ?? []) as {
        MetricName?: string;
        Value?: number;
        Dimensions?: { Value?: string }[];
      }[];
      for (const d of data) {
        const rule = d.Dimensions?.[0]?.Value;
        metrics.push({ name: d.MetricName ?? '', value: d.Value ?? NaN, ...(rule !== undefined ? { rule } : {}) });
      }
    });
    const handler = makeHandler({
      clients: home,
      settings: checkerSettings(keyArn, topicArn, [REGION, OUTSIDE]),
      logger: memoryLogger(),
      region: REGION,
      clientsFor: (r): CollectorClients => (r === REGION ? home : clientsFor(r)),
    });
    const metric = (name: string, rule?: string) =>
      metrics.filter((m) => m.name === name && m.rule === rule).map((m) => m.value);
    return { handler, published, metric, home };
  }

  const latest = async (): Promise<ComplianceReport> => {
    const out = await clientsFor(REGION).s3.send(
      new GetObjectCommand({ Bucket: 'reports', Key: 'reports/latest.json' }),
    );
    return JSON.parse((await out.Body?.transformToString()) ?? '') as ComplianceReport;
  };
  const open = (r: ComplianceReport, rule: string) => r.openViolations.filter((k) => k.startsWith(`${rule}|`));

  test('a clean run: residency outside the allowed regions, buckets read and judged, one notification', async () => {
    // GIVEN no fault
    const { handler, published, metric } = checker();
    // WHEN the scheduled scan runs over both regions
    await handler(SCHEDULED, { awsRequestId: 'clean-1' });
    const report = await latest();
    // THEN the stray model in us-east-1 violates residency
    const residency = report.findings.filter((f) => f.ruleId === 'MLOPS-GDPR-1' && f.status === 'NON_COMPLIANT');
    expect(residency.map((f) => f.resourceId)).toEqual([`arn:aws:sagemaker:${OUTSIDE}:${MOTO_ACCOUNT}:model/stray`]);
    // AND the capture bucket is compliant on every bucket rule, read through the real S3 APIs
    const capture = report.findings.filter((f) => f.resourceId === 'arn:aws:s3:::capture');
    expect(capture.filter((f) => f.status !== 'COMPLIANT')).toEqual([]);
    expect(capture.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining([
        'MLOPS-BUCKET-1',
        'MLOPS-BUCKET-2',
        'MLOPS-BUCKET-3',
        'MLOPS-BUCKET-4',
        'MLOPS-CAPTURE-4',
      ]),
    );
    // AND the key policy letting "*" decrypt is caught at run time by the same rule as at synth
    expect(report.findings.find((f) => f.ruleId === 'MLOPS-KMS-1' && f.resourceId === keyArn)).toMatchObject({
      status: 'NON_COMPLIANT',
      reason: expect.stringContaining('"AnyoneDecrypts"'),
    });
    // AND nothing is stale or unevaluated for a fault of this scan, violations are announced once
    expect(report.staleFindings).toEqual([]);
    expect(report.notEvaluated.filter((n) => n.notRead !== true)).toEqual([]);
    expect(metric('RulesNotEvaluated')).toEqual([0]);
    // AND the rules the checker never judges (the CodeBuild rules) are listed with their reason, and counted; the
    // IAM rules (the models' execution roles) and MLOPS-EVENTS-1 (the region's event rules) are judged now
    expect(report.notEvaluated.find((n) => n.ruleId === 'MLOPS-BUILD-1')).toEqual({
      ruleId: 'MLOPS-BUILD-1',
      reason: expect.stringMatching(/^not evaluated at run time: the checker does not read CodeBuild projects/),
      notRead: true,
    });
    expect(report.notEvaluated.map((n) => n.ruleId).sort()).toEqual(['MLOPS-BUILD-1', 'MLOPS-BUILD-2']);
    expect(metric('RulesNotEvaluatedAtRunTime')).toEqual([report.notEvaluated.length]);
    expect(metric('NonCompliantResources', 'MLOPS-BUILD-1')).toEqual([]);
    expect(metric('NonCompliantResources', 'MLOPS-IAM-2')).toEqual([expect.any(Number)]);
    expect(metric('NonCompliantResources', 'MLOPS-SM-4')).toEqual([1]);
    expect(published).toHaveLength(1);
  });

  test('fault 1: a listing that keeps throttling keeps its violations (stale), raises ScanErrors, announces nothing', async () => {
    // GIVEN ListEndpoints throttling after the SDK's retries
    const before = await latest();
    const { handler, published, metric } = checker((c) =>
      inject(c.sagemaker, ['ListEndpointsCommand'], 'ThrottlingException'),
    );
    // WHEN
    await handler(SCHEDULED, { awsRequestId: 'throttled' });
    const report = await latest();
    // THEN the production endpoint's rollout violation is still open, marked stale with the reason
    expect(open(report, 'MLOPS-SM-4')).toEqual(open(before, 'MLOPS-SM-4'));
    expect(report.staleFindings.map((f) => f.ruleId)).toContain('MLOPS-SM-4');
    expect(report.staleFindings[0]?.staleBecause).toMatch(/sagemaker:ListEndpoints ThrottlingException/);
    // AND the metric is not lowered, the scan is flagged incomplete, and no one is told of "new" violations
    expect(metric('NonCompliantResources', 'MLOPS-SM-4')).toEqual([1]);
    expect(metric('ScanErrors')[0]).toBeGreaterThan(0);
    expect(metric('RulesNotEvaluated')[0]).toBeGreaterThan(0);
    expect(report.notEvaluated.map((n) => n.ruleId)).toContain('MLOPS-SM-4');
    expect(published).toEqual([]);
  });

  test('after the fault clears, the next run re-announces nothing', async () => {
    // GIVEN no fault
    const { handler, published } = checker();
    // WHEN
    const result = await handler(SCHEDULED, { awsRequestId: 'clean-2' });
    // THEN no violation is "new"
    expect(result).toMatchObject({ newViolations: 0, notified: false });
    expect(published).toEqual([]);
    expect((await latest()).staleFindings).toEqual([]);
  });

  test('fault 2: a per-resource read error keeps that resource violations and the per-rule metric', async () => {
    // GIVEN DescribeEndpointConfig denied
    const { handler, published, metric } = checker((c) =>
      inject(c.sagemaker, ['DescribeEndpointConfigCommand'], 'AccessDeniedException'),
    );
    // WHEN
    await handler(SCHEDULED, { awsRequestId: 'denied' });
    const report = await latest();
    // THEN bare-config's capture and storage violations stay open, stale; the metrics do not drop
    expect(report.staleFindings.map((f) => `${f.ruleId} ${f.resourceName}`).sort()).toEqual(
      ['MLOPS-CAPTURE-1 bare-config', 'MLOPS-SM-1 bare-config'].sort(),
    );
    expect(metric('NonCompliantResources', 'MLOPS-CAPTURE-1')).toEqual([1]);
    expect(metric('NonCompliantResources', 'MLOPS-SM-1')).toEqual([1]);
    expect(published).toEqual([]);
  });

  test('fault 3: an unreadable bucket policy makes MLOPS-BUCKET-2 unknown (non-compliant), never compliant', async () => {
    // GIVEN GetBucketPolicy denied
    const { handler } = checker((c) => inject(c.s3, ['GetBucketPolicyCommand'], 'AccessDenied'));
    // WHEN
    await handler(SCHEDULED, { awsRequestId: 'policy-denied' });
    const report = await latest();
    // THEN the capture bucket's TLS verdict says unknown, and the read error is recorded
    const tls = report.findings.find((f) => f.ruleId === 'MLOPS-BUCKET-2' && f.resourceId === 'arn:aws:s3:::capture');
    expect(tls).toMatchObject({ status: 'NON_COMPLIANT', reason: expect.stringMatching(/unknown/) });
    expect(report.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ resource: 'capture', operation: 's3:GetBucketPolicy' })]),
    );
  });

  test('fault 4: a Config change event whose resource cannot be read fails (and is retried), never dropped', async () => {
    // GIVEN DescribeEndpoint throttling
    const { handler } = checker((c) => inject(c.sagemaker, ['DescribeEndpointCommand'], 'ThrottlingException'));
    // WHEN a change notification for the endpoint arrives
    const run = handler(configChangeEvent('AWS::SageMaker::Endpoint', 'prod-ep', 'MLOPS-SM-4'));
    // THEN the invocation fails naming the resource, so Lambda retries it and the dead-letter topic alerts
    await expect(run).rejects.toThrow(/Endpoint prod-ep \(sagemaker:DescribeEndpoint ThrottlingException\)/);
  });

  test('fault 5: failed batch reads (sagemaker:Search, tag:GetResources) fall back to one read per resource: same verdicts, nothing stale', async () => {
    // GIVEN a staging endpoint too (its tags, read in batch, spare its DescribeEndpoint)
    await sagemakerFixtures(clientsFor(REGION).sagemaker, TAGS).endpoint('staging-ep', 'bare-config', 'staging');
    const verdicts = (r: ComplianceReport) =>
      r.findings.map((f) => `${f.ruleId}|${f.resourceId}|${f.status}|${f.reason}`).sort();
    const calls = (c: CheckerClients) => {
      const seen: string[] = [];
      observe(c.sagemaker, 'count-sagemaker', (name) => seen.push(name));
      if (c.tagging) observe(c.tagging, 'count-tagging', (name) => seen.push(name));
      return seen;
    };
    // WHEN a scan reads in batch
    let batched: string[] = [];
    await checker((c) => (batched = calls(c))).handler(SCHEDULED, { awsRequestId: 'batched' });
    const viaBatch = await latest();
    // AND a scan whose batch reads are all denied
    let single: string[] = [];
    await checker((c) => {
      inject(c.sagemaker, ['SearchCommand'], 'AccessDeniedException');
      if (c.tagging) inject(c.tagging, ['GetResourcesCommand'], 'AccessDeniedException');
      single = calls(c);
    }).handler(SCHEDULED, { awsRequestId: 'batch-denied' });
    const viaSingle = await latest();
    // THEN the batched scan used Search and GetResources, described only the production endpoint, and read the
    // endpoint configs' tags with ListTags (moto's GetResources fails for them)
    expect(batched).toEqual(expect.arrayContaining(['SearchCommand', 'GetResourcesCommand']));
    expect(batched.filter((n) => n === 'DescribeEndpointCommand')).toHaveLength(1);
    // AND the fallback read every endpoint one by one
    expect(single.filter((n) => n === 'DescribeEndpointCommand')).toHaveLength(2);
    // AND both give the same verdicts, with nothing stale and no scan error
    expect(verdicts(viaSingle)).toEqual(verdicts(viaBatch));
    expect(viaBatch.findings.some((f) => f.resourceName === 'staging-ep')).toBe(true);
    for (const r of [viaBatch, viaSingle]) {
      expect(r.staleFindings).toEqual([]);
      expect(r.errors).toEqual([]);
    }
  });
});
