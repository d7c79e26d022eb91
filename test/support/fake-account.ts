/**
 * An in-memory account behind aws-sdk-client-mock: SageMaker, ECR and KMS answer from plain maps, S3 keeps objects,
 * and every write call is recorded. Tests change the maps (delete a resource, deny a call) to drive each branch.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import {
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  Repository,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelCommand,
  DescribeModelOutput,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { mockClient } from 'aws-sdk-client-mock';
import { CompliancePolicy } from '../../core/policy/context';
import { memoryLogger } from '../../lambda/shared/logger';
import { CheckerClients, makeHandler } from '../../lambda/compliance-checker/handler';
import { CheckerSettings } from '../../lambda/compliance-checker/settings';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111111111111';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
export const NOW = new Date('2026-03-01T12:00:00.000Z');

export const POLICY: CompliancePolicy = {
  allowedRegions: [REGION],
  captureRetentionDays: 30,
  maxCaptureSamplingPercent: 20,
  requiredTags: ['Owner', 'DataClassification'],
  dataClassifications: ['internal', 'confidential'],
  maxFindingSeverity: 'MEDIUM',
  imageScanMaxAgeDays: 7,
  requireVpc: false,
  productionEnvironments: ['production'],
};

export const SETTINGS: CheckerSettings = {
  policy: POLICY,
  reportBucket: 'reports-bucket',
  reportKmsKeyArn: KEY_ARN,
  alertTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`,
  concurrency: 4,
  imageScope: 'in-use',
  scanRegions: [REGION],
};

export const GOOD_TAGS: Tag[] = [
  { Key: 'Owner', Value: 'ml' },
  { Key: 'DataClassification', Value: 'internal' },
];

const arn = (type: string, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${type}/${name}`;

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

export const notFoundError = (what: string) => awsError('ValidationException', `Could not find ${what}.`);
export const deniedError = () => awsError('AccessDeniedException', 'User is not authorized to perform this action');

export interface FakeAccount {
  models: Map<string, DescribeModelOutput>;
  configs: Map<string, DescribeEndpointConfigOutput>;
  endpoints: Map<string, DescribeEndpointOutput>;
  repositories: Map<string, Repository>;
  tags: Map<string, Tag[]>;
  /** Errors thrown by describe calls for a resource name, e.g. deny DescribeModel of one model. */
  failures: Map<string, Error>;
  /** Names that disappear between list and describe. */
  vanishing: Set<string>;
  objects: Map<string, string>;
  pageSize: number;
}

export function model(
  name: string,
  opts: { isolation?: boolean; tags?: Tag[] } = {},
  account?: FakeAccount,
): DescribeModelOutput {
  const m: DescribeModelOutput = {
    ModelName: name,
    ModelArn: arn('model', name),
    ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/sm`,
    PrimaryContainer: { Image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/models:1.0.0` },
    EnableNetworkIsolation: opts.isolation ?? true,
    CreationTime: NOW,
  };
  account?.models.set(name, m);
  account?.tags.set(m.ModelArn as string, opts.tags ?? GOOD_TAGS);
  return m;
}

export function createAccount(): FakeAccount {
  const account: FakeAccount = {
    models: new Map(),
    configs: new Map(),
    endpoints: new Map(),
    repositories: new Map(),
    tags: new Map(),
    failures: new Map(),
    vanishing: new Set(),
    objects: new Map(),
    pageSize: 2,
  };
  // The repository every fake model's image lives in: compliant (immutable, scanned on push, KMS, lifecycle).
  account.repositories.set('models', {
    repositoryName: 'models',
    repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/models`,
    registryId: ACCOUNT,
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY_ARN },
  });
  return account;
}

function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), ...(next ? { next } : {}) };
}

/** Mocks for every client of the checker, answering from `account`. */
export function mockAccount(account: FakeAccount) {
  const clients: CheckerClients = {
    sagemaker: new SageMakerClient({ region: REGION }),
    ecr: new ECRClient({ region: REGION }),
    kms: new KMSClient({ region: REGION }),
    s3: new S3Client({ region: REGION }),
    cloudwatch: new CloudWatchClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    config: new ConfigServiceClient({ region: REGION }),
    codepipeline: new CodePipelineClient({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    events: new EventBridgeClient({ region: REGION }),
  };
  const sm = mockClient(clients.sagemaker);
  const ecr = mockClient(clients.ecr);
  const kms = mockClient(clients.kms);
  const s3 = mockClient(clients.s3);
  const cw = mockClient(clients.cloudwatch);
  const sns = mockClient(clients.sns);
  const config = mockClient(clients.config);
  const cp = mockClient(clients.codepipeline);

  const describe = <T>(map: Map<string, T>, name: string, what: string): T => {
    const failure = account.failures.get(name);
    if (failure) throw failure;
    const found = map.get(name);
    if (!found || account.vanishing.has(name)) throw notFoundError(`${what} '${name}'`);
    return found;
  };
  sm.on(ListEndpointsCommand).callsFake((input: { NextToken?: string }) => {
    const p = page([...account.endpoints.keys()], input.NextToken, account.pageSize);
    return { Endpoints: p.items.map((n) => ({ EndpointName: n, EndpointArn: arn('endpoint', n) })), NextToken: p.next };
  });
  sm.on(ListEndpointConfigsCommand).callsFake((input: { NextToken?: string }) => {
    const p = page([...account.configs.keys()], input.NextToken, account.pageSize);
    return { EndpointConfigs: p.items.map((n) => ({ EndpointConfigName: n })), NextToken: p.next };
  });
  sm.on(ListModelsCommand).callsFake((input: { NextToken?: string }) => {
    const p = page([...account.models.keys()], input.NextToken, account.pageSize);
    return { Models: p.items.map((n) => ({ ModelName: n })), NextToken: p.next };
  });
  sm.on(DescribeModelCommand).callsFake((i: { ModelName: string }) => describe(account.models, i.ModelName, 'model'));
  sm.on(DescribeEndpointConfigCommand).callsFake((i: { EndpointConfigName: string }) =>
    describe(account.configs, i.EndpointConfigName, 'endpoint configuration'),
  );
  sm.on(DescribeEndpointCommand).callsFake((i: { EndpointName: string }) =>
    describe(account.endpoints, i.EndpointName, 'endpoint'),
  );
  sm.on(ListTagsCommand).callsFake((i: { ResourceArn: string }) => ({ Tags: account.tags.get(i.ResourceArn) ?? [] }));

  ecr.on(DescribeRepositoriesCommand).callsFake((i: { repositoryNames?: string[] }) => {
    if (i.repositoryNames) {
      const name = i.repositoryNames[0] as string;
      const repo = account.repositories.get(name);
      if (!repo) throw awsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist`);
      return { repositories: [repo] };
    }
    return { repositories: [...account.repositories.values()] };
  });
  ecr.on(ListTagsForResourceCommand).resolves({
    tags: [
      { Key: 'Owner', Value: 'ml' },
      { Key: 'DataClassification', Value: 'internal' },
    ],
  });
  ecr.on(GetLifecyclePolicyCommand).callsFake((i: { repositoryName: string }) => {
    if (i.repositoryName !== 'models') throw awsError('LifecyclePolicyNotFoundException');
    return { repositoryName: i.repositoryName, lifecyclePolicyText: '{"rules":[]}' };
  });
  ecr.on(GetRepositoryPolicyCommand).rejects(awsError('RepositoryPolicyNotFoundException'));
  ecr.on(GetRegistryScanningConfigurationCommand).resolves({ scanningConfiguration: { scanType: 'BASIC', rules: [] } });
  ecr.on(DescribeImagesCommand).callsFake((i: { repositoryName: string; imageIds: { imageTag?: string }[] }) => ({
    imageDetails: i.imageIds.map((id) => ({
      repositoryName: i.repositoryName,
      registryId: ACCOUNT,
      imageDigest: `sha256:${'a'.repeat(64)}`,
      imageTags: [id.imageTag as string],
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindingsSummary: { imageScanCompletedAt: NOW, findingSeverityCounts: {} },
    })),
  }));
  ecr.on(DescribeImageScanFindingsCommand).rejects(awsError('ScanNotFoundException'));
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyManager: 'CUSTOMER' } });
  kms.on(GetKeyPolicyCommand).resolves({
    Policy: JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    }),
  });

  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
  // Every model's execution role: trusted by SageMaker only, with no policies of the account.
  const iam = mockClient(clients.iam!);
  iam.on(GetRoleCommand).callsFake((i: { RoleName: string }) => ({
    Role: {
      RoleName: i.RoleName,
      Arn: `arn:aws:iam::${ACCOUNT}:role/${i.RoleName}`,
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      ),
    },
  }));
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  // No event rules: the account's default bus is empty.
  const events = mockClient(clients.events!);
  events.on(ListRulesCommand).resolves({ Rules: [] });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [] });

  s3.on(GetObjectCommand).callsFake((i: { Key: string }) => {
    const body = account.objects.get(i.Key);
    if (body === undefined) throw awsError('NoSuchKey', 'The specified key does not exist.');
    return { Body: { transformToString: async () => body } };
  });
  s3.on(PutObjectCommand).callsFake((i: { Key: string; Body: string }) => {
    account.objects.set(i.Key, i.Body);
    return {};
  });
  // No buckets unless a test adds them: the bucket rules are then evaluated on an empty set, not skipped.
  s3.on(ListBucketsCommand).resolves({ Buckets: [] });
  cw.on(PutMetricDataCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  cp.on(PutJobSuccessResultCommand).resolves({});
  cp.on(PutJobFailureResultCommand).resolves({});

  const logger = memoryLogger();
  const handler = makeHandler({ clients, settings: SETTINGS, logger, clock: () => NOW, region: REGION });
  return { clients, handler, logger, mocks: { sm, ecr, kms, s3, cw, sns, config, cp, iam } };
}

/** A compliant endpoint with its config and model. */
export function compliantStack(
  account: FakeAccount,
  name: string,
  opts: { isolation?: boolean; environment?: string } = {},
) {
  model(`${name}-model`, { isolation: opts.isolation ?? true }, account);
  const cfg: DescribeEndpointConfigOutput = {
    EndpointConfigName: `${name}-config`,
    EndpointConfigArn: arn('endpoint-config', `${name}-config`),
    KmsKeyId: KEY_ARN,
    ProductionVariants: [{ VariantName: 'v', ModelName: `${name}-model` }],
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: 10,
      DestinationS3Uri: 's3://capture/x',
      KmsKeyId: KEY_ARN,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    },
    CreationTime: NOW,
  };
  account.configs.set(`${name}-config`, cfg);
  account.tags.set(cfg.EndpointConfigArn as string, GOOD_TAGS);
  const ep: DescribeEndpointOutput = {
    EndpointName: name,
    EndpointArn: arn('endpoint', name),
    EndpointConfigName: `${name}-config`,
    EndpointStatus: 'InService',
    CreationTime: NOW,
    LastModifiedTime: NOW,
  };
  account.endpoints.set(name, ep);
  account.tags.set(ep.EndpointArn as string, [
    ...GOOD_TAGS,
    { Key: 'Environment', Value: opts.environment ?? 'staging' },
  ]);
}

export function scheduledEvent() {
  return { source: 'aws.events', 'detail-type': 'Scheduled Event', time: NOW.toISOString(), detail: {} };
}

export function configEvent(ruleId: string, invoking: Record<string, unknown>, resultToken = 'token-1') {
  return {
    invokingEvent: JSON.stringify(invoking),
    ruleParameters: JSON.stringify({ ruleId }),
    resultToken,
    configRuleName: `mlops-${ruleId}`,
    eventLeftScope: false,
    accountId: ACCOUNT,
  };
}

export function pipelineEvent(userParameters: unknown, id = 'job-1') {
  return {
    'CodePipeline.job': {
      id,
      accountId: ACCOUNT,
      data: {
        actionConfiguration: {
          configuration: {
            FunctionName: 'checker',
            UserParameters: typeof userParameters === 'string' ? userParameters : JSON.stringify(userParameters),
          },
        },
        inputArtifacts: [],
        outputArtifacts: [],
      },
    },
  };
}

/**
 * The SDK's adaptive retry strategy with every wait at 0: which errors are retried and how many attempts are made
 * stay the SDK's, but a retried call in a unit test costs no real time.
 */
export function instantRetry(maxAttempts: number): AdaptiveRetryStrategy {
  return new AdaptiveRetryStrategy(maxAttempts, {
    backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
    rateLimiter: { getSendToken: () => Promise.resolve(), updateClientSendingRate: () => undefined },
  });
}
