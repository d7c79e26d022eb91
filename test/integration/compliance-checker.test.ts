/**
 * The compliance checker against moto_server with real AWS SDK v3 clients.
 *
 * What moto 5.2.1 keeps and drops (checked here, so a moto upgrade that changes it fails loudly):
 * - SageMaker: drops EnableNetworkIsolation (DescribeModel always says false) and the endpoint DeploymentConfig
 *   (DescribeEndpoint has no LastDeploymentConfig); keeps endpoint config KmsKeyId and DataCaptureConfig, and tags.
 * - ECR: keeps tag mutability, scanOnPush, KMS encryption, lifecycle policies and tags; DescribeImages carries no scan
 *   summary, and DescribeImageScanFindings returns one fake HIGH finding for every scanned image.
 * - Config: PutEvaluations works only with TestMode=true (our 'TESTMODE' token path); without it moto raises
 *   NotImplementedError (HTTP 500). The non-test path is covered with the mock client in test/lambda.
 * - CodePipeline: no PutJobSuccessResult / PutJobFailureResult at all; the gate's CodePipeline client is mocked
 *   (aws-sdk-client-mock) while SageMaker/ECR/KMS stay real.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import {
  CreateRepositoryCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
} from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { rulesFor } from '../../core/policy/catalogue';
import { memoryLogger } from '../../lambda/shared/logger';
import { CheckerClients, makeHandler } from '../../lambda/compliance-checker/handler';
import { ComplianceReport } from '../../lambda/compliance-checker/report';
import { POLICY, REGION } from '../support/fake-account';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';
import { checkerClients, configChangeEvent, sagemakerFixtures } from '../support/sagemaker-fixtures';

const IMAGE = `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/immutable-repo:1.0.0`;
const TAGS = [
  { Key: 'Owner', Value: 'ml-platform' },
  { Key: 'DataClassification', Value: 'internal' },
];

describe('compliance checker against moto_server', () => {
  const moto = useMoto();
  let clients: CheckerClients;
  let keyArn: string;
  let topicArn: string;
  let sink: Server;
  const delivered: Record<string, unknown>[] = [];

  beforeAll(async () => {
    clients = checkerClients(moto.clientConfig(REGION));
    // An HTTP subscriber: moto delivers SNS notifications to it, so the test sees what an on-call e-mail would get.
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          delivered.push(JSON.parse(body) as Record<string, unknown>);
        } catch {
          delivered.push({ raw: body });
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));

    // The models' execution role, trusted by SageMaker only (MLOPS-IAM-2 reads it at run time).
    await clients.iam!.send(
      new CreateRoleCommand({
        RoleName: 'sagemaker',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const key = await clients.kms.send(new CreateKeyCommand({ Description: 'mlops' }));
    keyArn = key.KeyMetadata?.Arn as string;
    await clients.s3.send(
      new CreateBucketCommand({ Bucket: 'reports', CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`,
      }),
    );

    // ECR: one compliant repository holding the deployed image, one that breaks every repository rule.
    await clients.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'immutable-repo',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: keyArn },
        tags: TAGS,
      }),
    );
    await clients.ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'immutable-repo',
        lifecyclePolicyText: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
              action: { type: 'expire' },
            },
          ],
        }),
      }),
    );
    await clients.ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'mutable-repo', imageTagMutability: 'MUTABLE', tags: TAGS }),
    );
    // ... with a repository policy that lets any principal pull (MLOPS-ECR-5, read with GetRepositoryPolicy)
    await clients.ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'mutable-repo',
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }],
        }),
      }),
    );
    // The reports bucket's ACL also opens it to everyone (MLOPS-BUCKET-7, read with GetBucketAcl).
    await clients.s3.send(new PutBucketAclCommand({ Bucket: 'reports', ACL: 'public-read' }));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 1,
        digest: `sha256:${'a'.repeat(64)}`,
      },
      layers: [],
    });
    await clients.ecr.send(
      new PutImageCommand({ repositoryName: 'immutable-repo', imageManifest: manifest, imageTag: '1.0.0' }),
    );
    await clients.ecr.send(
      new StartImageScanCommand({ repositoryName: 'immutable-repo', imageId: { imageTag: '1.0.0' } }),
    );

    // SageMaker: a model asking for isolation (moto drops it) and one without; a compliant and a bare config.
    const sm = sagemakerFixtures(clients.sagemaker, TAGS);
    await sm.model('isolated-model', IMAGE, { EnableNetworkIsolation: true });
    await sm.model('open-model', IMAGE);
    await sm.endpointConfig('good-config', 'isolated-model', {
      KmsKeyId: keyArn,
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 10,
        DestinationS3Uri: 's3://capture/good',
        KmsKeyId: keyArn,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
    });
    await sm.endpointConfig('bare-config', 'open-model');
    await sm.endpoint('staging-ep', 'good-config', 'staging');
    await sm.endpoint('prod-ep', 'bare-config', 'production');
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  });

  const settings = () => ({
    policy: POLICY,
    reportBucket: 'reports',
    reportKmsKeyArn: keyArn,
    alertTopicArn: topicArn,
    concurrency: 4,
    imageScope: 'in-use' as const,
    scanRegions: [REGION],
  });
  const handler = (c: CheckerClients = clients) =>
    makeHandler({ clients: c, settings: settings(), logger: memoryLogger(), region: REGION });

  const readJson = async (key: string) => {
    const out = await clients.s3.send(new GetObjectCommand({ Bucket: 'reports', Key: key }));
    return JSON.parse((await out.Body?.transformToString()) ?? '') as ComplianceReport;
  };

  test('moto keeps what the assertions below rely on (and drops network isolation and DeploymentConfig)', async () => {
    const m = await clients.sagemaker.send(new DescribeModelCommand({ ModelName: 'isolated-model' }));
    expect(m.EnableNetworkIsolation).toBe(false);
    const ep = await clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'prod-ep' }));
    expect(ep.LastDeploymentConfig).toBeUndefined();
  });

  test('scheduled scan: exact findings, report in S3 with SSE-KMS, metrics per rule, SNS on new violations only', async () => {
    // WHEN
    const result = await handler()(
      { source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString() },
      { awsRequestId: 'run-1' },
    );

    // THEN every resource was judged with no read errors
    expect(result).toMatchObject({ kind: 'scheduled', resources: 12, errors: 0, notified: true });
    const report = await readJson('reports/latest.json');
    expect(report.counts.resourcesByKind).toEqual({
      Model: 2,
      EndpointConfig: 2,
      Endpoint: 2,
      Repository: 2,
      Image: 1,
      Bucket: 1, // the bare reports bucket, read through the S3 configuration APIs
      Key: 1, // the customer-managed key the config and repository use: its policy read with GetKeyPolicy
      Role: 1, // the models' execution role (no inline or attached policy of the account: no IdentityPolicy)
    });
    const nonCompliant = report.findings
      .filter((f) => f.status === 'NON_COMPLIANT')
      .map((f) => `${f.ruleId} ${f.resourceName ?? f.resourceId}`)
      .sort();
    expect(nonCompliant).toEqual(
      [
        'MLOPS-BUCKET-1 reports',
        'MLOPS-BUCKET-2 reports',
        'MLOPS-BUCKET-3 reports',
        'MLOPS-BUCKET-4 reports',
        'MLOPS-BUCKET-6 reports', // the bare bucket is not versioned
        'MLOPS-BUCKET-7 reports', // its ACL grants AllUsers READ
        'MLOPS-ECR-5 mutable-repo', // its repository policy allows "*"
        `MLOPS-KMS-3 ${keyArn.split('/')[1]}`, // moto creates keys with rotation off, as AWS does
        'MLOPS-TAG-1 reports',
        'MLOPS-TAG-2 reports',
        'MLOPS-CAPTURE-1 bare-config',
        'MLOPS-ECR-1 mutable-repo',
        'MLOPS-ECR-2 mutable-repo',
        'MLOPS-ECR-3 mutable-repo',
        'MLOPS-ECR-4 mutable-repo',
        `MLOPS-IMG-1 immutable-repo@sha256:${report.findings.find((f) => f.resourceKind === 'Image')?.resourceId.split('@sha256:')[1]}`,
        'MLOPS-SM-1 bare-config',
        'MLOPS-SM-2 isolated-model', // moto drops EnableNetworkIsolation: what moto cannot show, the rule cannot credit
        'MLOPS-SM-2 open-model',
        'MLOPS-SM-4 prod-ep',
      ].sort(),
    );
    // Everything else that was judged is COMPLIANT: tags, residency, capture settings of good-config, image scan age.
    const compliantRules = new Set(report.findings.filter((f) => f.status === 'COMPLIANT').map((f) => f.ruleId));
    for (const id of [
      'MLOPS-GDPR-1',
      'MLOPS-TAG-1',
      'MLOPS-TAG-2',
      'MLOPS-SM-1',
      'MLOPS-CAPTURE-1',
      'MLOPS-CAPTURE-2',
      'MLOPS-CAPTURE-3',
      'MLOPS-IMG-2',
      'MLOPS-ECR-1',
      'MLOPS-KMS-1', // moto's default key policy names the account root only
      'MLOPS-ECR-5', // immutable-repo has no repository policy
      'MLOPS-IAM-2', // the models' role trusts SageMaker only
    ]) {
      expect(compliantRules).toContain(id);
    }

    // The dated copy exists, and both objects are SSE-KMS with the report key
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'reports/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key);
    expect(keys).toContain('reports/latest.json');
    expect(keys.some((k) => /^reports\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/.test(k ?? ''))).toBe(true);
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: 'reports', Key: 'reports/latest.json' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toContain(keyArn.split('/')[1]);

    // One NonCompliantResources metric per run-time rule
    const metrics = await clients.cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'MLOps/Compliance', MetricName: 'NonCompliantResources' }),
    );
    const ruleDims = (metrics.Metrics ?? []).map((m) => m.Dimensions?.find((d) => d.Name === 'RuleId')?.Value).sort();
    expect(ruleDims).toEqual(
      rulesFor('run')
        .map((r) => r.id)
        .sort(),
    );

    // SNS delivered one notification naming the violations
    await waitFor(() => delivered.some((d) => d.Type === 'Notification'));
    const notes = delivered.filter((d) => d.Type === 'Notification');
    expect(notes).toHaveLength(1);
    expect(String(notes[0]?.Message)).toContain('20 new compliance violation(s)');

    // WHEN re-run with no change: idempotent, nothing new to announce
    const again = await handler()(
      { source: 'aws.events', 'detail-type': 'Scheduled Event' },
      { awsRequestId: 'run-2' },
    );
    expect(again).toMatchObject({ newViolations: 0, notified: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered.filter((d) => d.Type === 'Notification')).toHaveLength(1);
    expect((await readJson('reports/latest.json')).runId).toBe('run-2');
  });

  test('Config path: TESTMODE evaluations reach moto PutEvaluations; a change event judges one resource', async () => {
    const periodic = await handler()({
      invokingEvent: JSON.stringify({
        messageType: 'ScheduledNotification',
        notificationCreationTime: new Date().toISOString(),
      }),
      ruleParameters: JSON.stringify({ ruleId: 'MLOPS-ECR-1' }),
      resultToken: 'TESTMODE',
      configRuleName: 'mlops-MLOPS-ECR-1',
    });
    expect(periodic).toMatchObject({ kind: 'config', ruleId: 'MLOPS-ECR-1', evaluations: 2, calls: 1, errors: [] });

    const change = await handler()(configChangeEvent('AWS::SageMaker::EndpointConfig', 'bare-config', 'MLOPS-SM-1'));
    expect(change).toMatchObject({ kind: 'config', evaluations: 1, calls: 1 });
  });

  test('CodePipeline gate: real SageMaker/ECR reads, mocked job result calls (moto has none)', async () => {
    const codepipeline = new CodePipelineClient(moto.clientConfig(REGION));
    const cp = mockClient(codepipeline);
    cp.on(PutJobSuccessResultCommand).resolves({});
    cp.on(PutJobFailureResultCommand).resolves({});
    const gate = handler({ ...clients, codepipeline });
    const job = (id: string, params: unknown) => ({
      'CodePipeline.job': {
        id,
        accountId: MOTO_ACCOUNT,
        data: { actionConfiguration: { configuration: { FunctionName: 'f', UserParameters: JSON.stringify(params) } } },
      },
    });

    // The staging endpoint's model lacks isolation (as moto reports it), and the key its config uses does not
    // rotate (moto's default, as AWS's): fails on SM-2 and KMS-3
    const failed = await gate(job('job-fail', { endpointNames: ['staging-ep'] }));
    expect(failed).toMatchObject({ kind: 'pipeline', passed: false });
    const message = cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails?.message ?? '';
    expect(message).toMatch(
      /^\[gate findings=\d+ resources=\d+ failing=2 rules=MLOPS-KMS-3,MLOPS-SM-2 unreadable=0 missing=0\]\nCompliance gate failed: 2 NON_COMPLIANT finding\(s\) at or above LOW, rules \[MLOPS-KMS-3, MLOPS-SM-2\]/,
    );
    expect(message).toContain('isolated-model');
    expect(message).toContain(keyArn.split('/')[1]);

    // GIVEN the key now rotates (read back with GetKeyRotationStatus)
    await clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyArn }));
    // A repository that complies passes; its image's HIGH finding fails only when the image is named
    const passed = await gate(job('job-pass', { repositories: ['immutable-repo'] }));
    expect(passed).toMatchObject({ passed: true });
    expect(cp.commandCalls(PutJobSuccessResultCommand)[0]?.args[0].input.jobId).toBe('job-pass');
    const image = await gate(job('job-image', { images: [{ repository: 'immutable-repo', tag: '1.0.0' }] }));
    expect(image).toMatchObject({ passed: false, message: expect.stringContaining('MLOPS-IMG-1') });
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
