/**
 * The local deploy proof: the default config's `staging` environment (PlatformStack + its ModelEndpointStack) is
 * synthesized, bootstrapped and deployed with the real `cdk` CLI to moto_server — by the same code as
 * `npm run deploy:local` (scripts/moto-deploy.ts, where the moto workarounds are explained) — then read back
 * through the SageMaker, ECR, S3 and KMS APIs with real AWS SDK v3 clients.
 *
 * Properties moto accepts and drops are asserted as such in the "known moto gaps" test (S3 versioning, public
 * access block and lifecycle; ECR scan-on-push and KMS; SageMaker network isolation and resource names).
 */
import { rmSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRepositoriesCommand, ECRClient, ListTagsForResourceCommand as EcrListTags } from '@aws-sdk/client-ecr';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeEndpointConfigCommandOutput,
  DescribeModelCommand,
  DescribeModelCommandOutput,
  ListTagsCommand as SageMakerListTags,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseConfig } from '../../lib/config/loader';
import { MlopsConfig } from '../../lib/config/schema';
import { CAPTURE_PREFIX } from '../../lib/stacks/model-endpoint-stack';
import { deployToMoto } from '../../scripts/moto-deploy';
import { cfnQuery } from '../../scripts/moto/cloudformation-query';
import { DeployedResource, MotoDeployment, physicalId as physicalIdIn } from '../../scripts/moto/deployment';
import { readSecuritySettings } from '../../scripts/moto/security-settings';
import { MOTO_UNSUPPORTED_TYPES, Template } from '../../scripts/moto/template-variant';
import { defaultConfigDocument, featureFlags } from '../support/app';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';

const STAGE = 'staging';

describe('local deploy to moto_server (staging: PlatformStack + ModelEndpointStack)', () => {
  const moto = useMoto();
  const region = 'eu-west-1';
  let workdir: string;
  let config: MlopsConfig;
  let platformStack: Stack;
  let modelStack: Stack;
  let deployment: MotoDeployment;
  let templates: ReadonlyMap<string, Template>; // stack name -> template as synthesized
  let deployed: ReadonlyMap<string, readonly DeployedResource[]>; // stack name -> resources moto created

  const cfg = () => moto.clientConfig(region);
  const physicalId = (stack: Stack, type: string, logicalIdPrefix = ''): string =>
    physicalIdIn(deployment, stack, type, logicalIdPrefix);

  beforeAll(async () => {
    // GIVEN the default config's staging environment, WHEN deployed to moto the way `npm run deploy:local` does it
    deployment = await deployToMoto({
      endpoint: moto.endpoint(), // `localhost`: moto parses the TemplateURL only then
      config: parseConfig(defaultConfigDocument(), 'cdk.json default config'),
      environment: STAGE,
      context: featureFlags(),
    });
    ({ config, workdir, platformStack, templates, deployed } = deployment);
    expect(deployment.modelStacks).toHaveLength(1);
    modelStack = deployment.modelStacks[0]!;
    console.log(
      `deploy proof timings (ms): ${JSON.stringify(deployment.timings)}\nmoto template variant:\n${deployment.variantNotes.join('\n')}`,
    );
  }, 150_000);

  afterAll(() => {
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  test('the security settings `npm run deploy:local` prints all read back as configured', async () => {
    // WHEN read back by the same code the command runs
    const checks = await readSecuritySettings(deployment, cfg());
    // THEN keys, buckets, the repository, the endpoint config and the endpoint are all there and as configured
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.resource)).toEqual(
      expect.arrayContaining([
        `alias/${config.projectName}/${STAGE}/data-capture`,
        `ecr ${config.models[0]!.image.repository}`,
        expect.stringMatching(/^endpoint config /),
        expect.stringMatching(/^endpoint /),
      ]),
    );
    expect(checks.length).toBeGreaterThanOrEqual(17);
  });

  test('both stacks reach CREATE_COMPLETE', async () => {
    for (const stack of [platformStack, modelStack]) {
      const xml = await cfnQuery(moto.endpoint(), region, 'DescribeStacks', { StackName: stack.stackName });
      expect(xml).toMatch(/<StackStatus>CREATE_COMPLETE<\/StackStatus>/);
    }
  });

  test('moto creates every resource except exactly the types it does not implement', () => {
    for (const stack of [platformStack, modelStack]) {
      // GIVEN the synthesized template and what moto reports as created
      const resources = Object.entries(templates.get(stack.stackName)!.Resources);
      const created = new Set(deployed.get(stack.stackName)!.map((r) => r.logicalId));
      // THEN the resources it did not create are exactly those of the expected unsupported types
      const notCreatedTypes = [...new Set(resources.filter(([id]) => !created.has(id)).map(([, r]) => r.Type))].sort();
      const expectedSkipped = [...new Set(resources.map(([, r]) => r.Type))]
        .filter((type) => (MOTO_UNSUPPORTED_TYPES as readonly string[]).includes(type))
        .sort();
      expect({ stack: stack.stackName, notCreatedTypes }).toEqual({
        stack: stack.stackName,
        notCreatedTypes: expectedSkipped,
      });
      // and every created resource has the type the template asked for
      for (const r of deployed.get(stack.stackName)!) {
        expect({ id: r.logicalId, type: r.type }).toEqual({
          id: r.logicalId,
          type: templates.get(stack.stackName)!.Resources[r.logicalId]?.Type,
        });
      }
    }
    // The model stack is where the gaps matter most: list them so a reader of the test output sees them.
    const modelTypes = Object.values(templates.get(modelStack.stackName)!.Resources).map((r) => r.Type);
    expect(
      [...new Set(modelTypes.filter((t) => (MOTO_UNSUPPORTED_TYPES as readonly string[]).includes(t)))].sort(),
    ).toEqual([
      'AWS::ApplicationAutoScaling::ScalableTarget',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::CompositeAlarm',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::SQS::QueuePolicy',
      'AWS::SageMaker::ModelCard',
    ]);
  });

  describe('KMS keys', () => {
    const purposes = ['data', 'data-capture', 'endpoint-storage', 'model-images'];

    test('are customer managed, enabled, rotated and tagged', async () => {
      const kms = new KMSClient(cfg());
      const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases ?? [];
      for (const purpose of purposes) {
        const alias = aliases.find((a) => a.AliasName === `alias/${config.projectName}/${STAGE}/${purpose}`);
        expect(alias?.TargetKeyId).toBeDefined();
        const keyId = alias!.TargetKeyId!;
        const meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
        expect(meta).toMatchObject({ KeyManager: 'CUSTOMER', Enabled: true, KeyUsage: 'ENCRYPT_DECRYPT' });
        expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(true);
        const tags = Object.fromEntries(
          ((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags ?? []).map((t) => [
            t.TagKey,
            t.TagValue,
          ]),
        );
        expect(tags).toMatchObject({ ...config.tags, Environment: STAGE, DataClassification: 'confidential' });
      }
    });

    test('the data key policy lets CloudWatch alarms use it for the encrypted alert topic, in this account only', async () => {
      const kms = new KMSClient(cfg());
      const alias = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).find(
        (a) => a.AliasName === `alias/${config.projectName}/${STAGE}/data`,
      );
      const policy = JSON.parse(
        (await kms.send(new GetKeyPolicyCommand({ KeyId: alias!.TargetKeyId!, PolicyName: 'default' }))).Policy!,
      ) as { Statement: Record<string, unknown>[] };
      expect(policy.Statement).toContainEqual(
        expect.objectContaining({
          Sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopic',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': MOTO_ACCOUNT } },
        }),
      );
      expect(JSON.stringify(policy)).not.toMatch(/"Principal":"\*"|"AWS":"\*"/);
    });
  });

  describe('S3 buckets', () => {
    const bucketIds = {
      AccessLogsBucket: 'access-logs',
      ArtifactsBucket: 'artifacts',
      ReportsBucket: 'reports',
      CaptureBucket: 'data-capture',
    } as const;
    const keyArn = async (purpose: string) => {
      const kms = new KMSClient(cfg());
      const alias = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).find(
        (a) => a.AliasName === `alias/${config.projectName}/${STAGE}/${purpose}`,
      );
      return (await kms.send(new DescribeKeyCommand({ KeyId: alias!.TargetKeyId! }))).KeyMetadata!.Arn!;
    };

    test('exist, with the capture bucket under its fixed name', async () => {
      const s3 = new S3Client(cfg());
      const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
      for (const id of Object.keys(bucketIds))
        expect(names).toContain(physicalId(platformStack, 'AWS::S3::Bucket', id));
      expect(physicalId(platformStack, 'AWS::S3::Bucket', 'CaptureBucket')).toBe(
        `${config.projectName}-${STAGE}-capture-${MOTO_ACCOUNT}-${region}`,
      );
    });

    test('are encrypted with their customer-managed key (the access-log bucket with SSE-S3) and tagged', async () => {
      const s3 = new S3Client(cfg());
      const expectedKey: Record<string, string | undefined> = {
        AccessLogsBucket: undefined,
        ArtifactsBucket: await keyArn('data'),
        ReportsBucket: await keyArn('data'),
        CaptureBucket: await keyArn('data-capture'),
      };
      for (const [id, purpose] of Object.entries(bucketIds)) {
        const Bucket = physicalId(platformStack, 'AWS::S3::Bucket', id);
        const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration
          ?.Rules?.[0];
        const kmsKey = expectedKey[id];
        expect({ Bucket, sse: rule?.ApplyServerSideEncryptionByDefault }).toEqual({
          Bucket,
          sse: kmsKey ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey } : { SSEAlgorithm: 'AES256' },
        });
        const tags = Object.fromEntries(
          ((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet ?? []).map((t) => [t.Key, t.Value]),
        );
        expect(tags).toMatchObject({
          ...config.tags,
          Environment: STAGE,
          DataClassification: 'confidential',
          'mlops:purpose': purpose,
        });
      }
    });

    test('lifecycle expiry of captured data is in the deployed template (moto drops bucket lifecycle rules)', async () => {
      const capture = Object.entries(templates.get(platformStack.stackName)!.Resources).find(
        ([id]) => id.startsWith('CaptureBucket') && !id.includes('Policy'),
      )![1];
      const rules = (capture.Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      // The whole bucket's retention, then one prediction-ledger rule per model that monitors quality, which never
      // outlives the captured data it was built from.
      const ledgerModels = config.models.filter((m) => m.dataCapture.enabled && m.monitoring.quality !== undefined);
      expect(ledgerModels.length).toBeGreaterThan(0);
      expect(rules).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          ExpirationInDays: config.compliance.captureRetentionDays - 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        }),
        ...ledgerModels.map((m) =>
          expect.objectContaining({
            Id: `ledger-${m.name}`,
            Status: 'Enabled',
            Prefix: `quality-ledger/${config.projectName}-${STAGE}-${m.name}/`,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ),
      ]);
      for (const rule of rules.slice(1)) {
        expect(rule.ExpirationInDays as number).toBeLessThanOrEqual(config.compliance.captureRetentionDays - 1);
      }
      const s3 = new S3Client(cfg());
      await expect(
        s3.send(
          new GetBucketLifecycleConfigurationCommand({
            Bucket: physicalId(platformStack, 'AWS::S3::Bucket', 'CaptureBucket'),
          }),
        ),
      ).rejects.toThrow(/lifecycle configuration does not exist/i);
    });
  });

  describe('ECR model repository', () => {
    test('exists with immutable tags and is tagged (scan-on-push and KMS: see known gaps)', async () => {
      const ecr = new ECRClient(cfg());
      const repositoryName = config.models[0]!.image.repository;
      const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })))
        .repositories![0]!;
      expect(repo.repositoryUri).toBe(`${MOTO_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`);
      expect(repo.imageTagMutability).toBe('IMMUTABLE');
      const tags = Object.fromEntries(
        ((await ecr.send(new EcrListTags({ resourceArn: repo.repositoryArn }))).tags ?? []).map((t) => [
          t.Key,
          t.Value,
        ]),
      );
      expect(tags).toMatchObject({ ...config.tags, Environment: STAGE });
    });
  });

  describe('SageMaker model, endpoint config and endpoint', () => {
    let endpointConfig: DescribeEndpointConfigCommandOutput;
    let model: DescribeModelCommandOutput;
    const kmsArn = async (purpose: string) => {
      const kms = new KMSClient(cfg());
      const alias = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).find(
        (a) => a.AliasName === `alias/${config.projectName}/${STAGE}/${purpose}`,
      );
      return (await kms.send(new DescribeKeyCommand({ KeyId: alias!.TargetKeyId! }))).KeyMetadata!.Arn!;
    };

    beforeAll(async () => {
      const sm = new SageMakerClient(cfg());
      endpointConfig = await sm.send(
        new DescribeEndpointConfigCommand({
          EndpointConfigName: physicalId(modelStack, 'AWS::SageMaker::EndpointConfig'),
        }),
      );
      model = await sm.send(new DescribeModelCommand({ ModelName: physicalId(modelStack, 'AWS::SageMaker::Model') }));
    });

    test('the endpoint config encrypts storage and captured data with their own keys and samples as configured', async () => {
      const m = config.models[0]!;
      expect(endpointConfig.KmsKeyId).toBe(await kmsArn('endpoint-storage'));
      expect(endpointConfig.DataCaptureConfig).toMatchObject({
        EnableCapture: true,
        KmsKeyId: await kmsArn('data-capture'),
        InitialSamplingPercentage: m.dataCapture.samplingPercent,
        DestinationS3Uri: `s3://${physicalId(platformStack, 'AWS::S3::Bucket', 'CaptureBucket')}/${CAPTURE_PREFIX}`,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      });
      expect(endpointConfig.KmsKeyId).not.toBe(endpointConfig.DataCaptureConfig?.KmsKeyId);
      expect(endpointConfig.ProductionVariants).toEqual([
        expect.objectContaining({
          ModelName: model.ModelName,
          InstanceType: m.instanceType,
          InitialInstanceCount: m.instanceCount,
        }),
      ]);
    });

    test('the model runs the image by its digest from the platform ECR repository', async () => {
      const ecr = new ECRClient(cfg());
      const m = config.models[0]!;
      const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [m.image.repository] })))
        .repositories![0]!;
      // By digest: the bytes the gates judged, whatever the tag points to.
      expect(model.PrimaryContainer?.Image).toBe(`${repo.repositoryUri}@${m.image.digest}`);
      expect(model.ExecutionRoleArn).toMatch(new RegExp(`^arn:aws:iam::${MOTO_ACCOUNT}:role/`));
    });

    test('the endpoint serves the deployed endpoint config, and everything carries the data classification tag', async () => {
      const sm = new SageMakerClient(cfg());
      const endpoint = await sm.send(
        new DescribeEndpointCommand({ EndpointName: physicalId(modelStack, 'AWS::SageMaker::Endpoint') }),
      );
      expect(endpoint.EndpointConfigName).toBe(endpointConfig.EndpointConfigName);
      expect(endpoint.EndpointStatus).toBe('InService');
      for (const arn of [endpointConfig.EndpointConfigArn!, model.ModelArn!, endpoint.EndpointArn!]) {
        const tags = Object.fromEntries(
          ((await sm.send(new SageMakerListTags({ ResourceArn: arn }))).Tags ?? []).map((t) => [t.Key, t.Value]),
        );
        expect({ arn, tags }).toMatchObject({
          arn,
          tags: { ...config.tags, DataClassification: config.models[0]!.dataClassification },
        });
      }
    });
  });

  test('known moto gaps: what it drops is still absent (a moto upgrade that keeps it fails here: assert the real value instead)', async () => {
    const s3 = new S3Client(cfg());
    const Bucket = physicalId(platformStack, 'AWS::S3::Bucket', 'CaptureBucket');
    // S3 via CloudFormation keeps only encryption and tags: versioning and public access block are dropped.
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket }))).rejects.toThrow(/public access block/i);
    // ECR via CloudFormation: moto stores the CloudFormation-cased ImageScanningConfiguration/EncryptionConfiguration
    // as is, so the API answers with empty objects: scan-on-push and KMS cannot be read back. The template has them.
    const ecr = new ECRClient(cfg());
    const repo = (
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [config.models[0]!.image.repository] }))
    ).repositories![0]!;
    expect({
      scan: repo.imageScanningConfiguration?.scanOnPush,
      encryption: repo.encryptionConfiguration?.encryptionType,
    }).toEqual({ scan: undefined, encryption: undefined });
    const repoTemplate = Object.values(templates.get(platformStack.stackName)!.Resources).find(
      (r) => r.Type === 'AWS::ECR::Repository',
    )!;
    expect(repoTemplate.Properties).toMatchObject({
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: {
        EncryptionType: 'KMS',
        KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^ImageKey/), 'Arn'] },
      },
    });
    // SageMaker: moto drops EnableNetworkIsolation (the template sets it).
    const sm = new SageMakerClient(cfg());
    const model = await sm.send(
      new DescribeModelCommand({ ModelName: physicalId(modelStack, 'AWS::SageMaker::Model') }),
    );
    expect(model.EnableNetworkIsolation).not.toBe(true);
    const modelTemplate = Object.values(templates.get(modelStack.stackName)!.Resources).find(
      (r) => r.Type === 'AWS::SageMaker::Model',
    )!;
    expect(modelTemplate.Properties).toMatchObject({ EnableNetworkIsolation: true });
    // SageMaker names: moto ignores ModelName/EndpointConfigName/EndpointName and generates `<stack>-<logicalId>-<suffix>`.
    expect(physicalId(modelStack, 'AWS::SageMaker::Endpoint')).not.toBe(
      `${config.projectName}-${STAGE}-${config.models[0]!.name}`,
    );
    // Alarms are never created, so the endpoint's DeploymentConfig (blue/green + auto-rollback) cannot be exercised.
    const cw = new CloudWatchClient(cfg());
    expect(
      (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${config.projectName}-${STAGE}` }))).MetricAlarms ??
        [],
    ).toEqual([]);
    // The dashboard is supported and is created from the (placeholder-referencing) body.
    const dashboard = await cw.send(
      new GetDashboardCommand({ DashboardName: `${config.projectName}-${STAGE}-${config.models[0]!.name}` }),
    );
    expect(dashboard.DashboardBody).toContain('Invocations and errors');
  });
});
